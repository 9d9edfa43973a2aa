// Arm semihosting calls of the generated Cortex-M4 firmware (implemented in
// startup_cortex_m4.cc): the host (QEMU with -semihosting) prints and exits for the guest.
#pragma once

// Writes a NUL-terminated string to the host's stdout.
void SemihostWrite(const char* text);

// Ends the emulation: QEMU exits with status 0 when `status` is 0, 1 otherwise. Never returns.
[[noreturn]] void SemihostExit(int status);
