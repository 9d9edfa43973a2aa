// Minimal bare-metal startup for the generated firmware on QEMU mps2-an386 (Cortex-M4F):
// vector table, reset handler (copy .data, zero .bss, enable the FPU, run constructors, call
// main) and Arm semihosting (write a string, exit with a status). No CMSIS, no libc startup.
#include <cstdint>

#include "semihosting.h"

extern "C" {
extern uint32_t __data_load__, __data_start__, __data_end__, __bss_start__, __bss_end__;
extern uint32_t __stack_top__;
extern void (*__init_array_start)();
extern void (*__init_array_end)();
int main();
void tinyloop_reset_handler();
void tinyloop_fault_handler();
}

namespace {

constexpr int kSysWrite0 = 0x04;
constexpr int kSysExit = 0x18;
constexpr uint32_t kApplicationExit = 0x20026;  // ADP_Stopped_ApplicationExit: exit status 0
constexpr uint32_t kRunTimeError = 0x20023;     // ADP_Stopped_RunTimeErrorUnknown: status 1

int Semihost(int op, const void* arg) {
  register int r0 asm("r0") = op;
  register const void* r1 asm("r1") = arg;
  asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

}  // namespace

void SemihostWrite(const char* text) { Semihost(kSysWrite0, text); }

void SemihostExit(int status) {
  // On 32-bit Arm the reason code itself is the argument of SYS_EXIT.
  Semihost(kSysExit, reinterpret_cast<const void*>(status == 0 ? kApplicationExit : kRunTimeError));
  for (;;) {
  }
}

extern "C" void tinyloop_reset_handler() {
  const uint32_t* from = &__data_load__;
  for (uint32_t* to = &__data_start__; to < &__data_end__;) *to++ = *from++;
  for (uint32_t* to = &__bss_start__; to < &__bss_end__;) *to++ = 0;
  // CPACR: full access to coprocessors 10 and 11 (the FPU) before any float instruction.
  volatile uint32_t* cpacr = reinterpret_cast<volatile uint32_t*>(0xE000ED88u);
  *cpacr |= 0xFu << 20;
  asm volatile("dsb\n isb" ::: "memory");
  for (void (**init)() = &__init_array_start; init < &__init_array_end; ++init) (*init)();
  SemihostExit(main());
}

extern "C" void tinyloop_fault_handler() {
  SemihostWrite("tinyloop: fault\n");
  SemihostExit(1);
}

// Initial stack pointer, reset, then NMI, HardFault, MemManage, BusFault, UsageFault.
__attribute__((section(".isr_vector"), used)) const void* const kVectorTable[8] = {
    &__stack_top__,
    reinterpret_cast<const void*>(tinyloop_reset_handler),
    reinterpret_cast<const void*>(tinyloop_fault_handler),
    reinterpret_cast<const void*>(tinyloop_fault_handler),
    reinterpret_cast<const void*>(tinyloop_fault_handler),
    reinterpret_cast<const void*>(tinyloop_fault_handler),
    reinterpret_cast<const void*>(tinyloop_fault_handler),
    nullptr,
};
