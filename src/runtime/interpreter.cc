#include "runtime/interpreter.h"

namespace tinyloop::runtime {
namespace {

constexpr size_t kArenaAlignment = 16;

size_t AlignUp(size_t v, size_t align) { return (v + align - 1) & ~(align - 1); }

}  // namespace

void* PersistentAllocator::Allocate(size_t bytes, size_t align) {
  if (next_ == nullptr) return nullptr;
  const uintptr_t at = (reinterpret_cast<uintptr_t>(next_) + align - 1) & ~(uintptr_t{align} - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(end_);
  if (at > end || bytes > end - at) return nullptr;
  next_ = reinterpret_cast<uint8_t*>(at + bytes);
  return reinterpret_cast<void*>(at);
}

PrepareContext::PrepareContext(const ProgramView& program, const OpInfo& op, OpState* state,
                               PersistentAllocator* allocator)
    : op_(op), state_(state), allocator_(allocator) {
  for (int32_t i = 0; i < op.input_count; ++i) {
    if (op.inputs[i] >= 0) inputs_[i] = program.tensor(op.inputs[i]);
  }
  for (int32_t i = 0; i < op.output_count; ++i) outputs_[i] = program.tensor(op.outputs[i]);
}

Status OpResolverBase::Add(OpCode op, PrepareFn prepare) {
  for (size_t i = 0; i < count_; ++i) {
    if (entries_[i].op == op) {
      entries_[i].prepare = prepare;
      return Status::kOk;
    }
  }
  if (count_ >= capacity_) return Status::kResolverFull;
  entries_[count_].op = op;
  entries_[count_].prepare = prepare;
  ++count_;
  return Status::kOk;
}

PrepareFn OpResolverBase::Find(OpCode op) const {
  for (size_t i = 0; i < count_; ++i) {
    if (entries_[i].op == op) return entries_[i].prepare;
  }
  return nullptr;
}

Status Interpreter::Prepare(const uint8_t* program, size_t program_size, uint8_t* arena,
                            size_t arena_size) {
  prepared_ = false;
  failed_op_ = -1;
  arena_used_ = 0;
  if (arena == nullptr || reinterpret_cast<uintptr_t>(arena) % kArenaAlignment != 0) {
    return Status::kMisaligned;
  }
  TL_RT_RETURN_IF_ERROR(program_.Parse(program, program_size));
  const size_t activations = program_.activation_bytes();
  const size_t op_bytes = sizeof(OpState) * static_cast<size_t>(program_.op_count());
  const size_t state_begin = AlignUp(activations, kArenaAlignment);
  if (state_begin > arena_size || op_bytes > arena_size - state_begin) {
    return Status::kArenaTooSmall;
  }
  arena_ = arena;
  ops_ = reinterpret_cast<OpState*>(arena + state_begin);
  PersistentAllocator allocator(arena + state_begin + op_bytes, arena + arena_size);
  const uint8_t* constants = program_.constant_data();

  for (int32_t i = 0; i < program_.op_count(); ++i) {
    OpState* state = new (ops_ + i) OpState();
    const OpInfo op = program_.op(i);
    const PrepareFn prepare = resolver_.Find(op.opcode);
    if (prepare == nullptr) {
      failed_op_ = i;
      return Status::kUnsupportedOp;
    }
    for (int32_t k = 0; k < op.input_count; ++k) {
      if (op.inputs[k] < 0) continue;
      const TensorInfo t = program_.tensor(op.inputs[k]);
      state->inputs[k] = (t.storage == TensorStorage::kConstant ? constants : arena_) + t.offset;
    }
    for (int32_t k = 0; k < op.output_count; ++k) {
      state->outputs[k] = arena_ + program_.tensor(op.outputs[k]).offset;
    }
    PrepareContext ctx(program_, op, state, &allocator);
    Status status = prepare(ctx);
    if (status == Status::kOk && state->eval == nullptr) status = Status::kUnsupportedType;
    if (status != Status::kOk) {
      failed_op_ = i;
      return status;
    }
  }
  arena_used_ = state_begin + op_bytes + allocator.used();
  prepared_ = true;
  return Status::kOk;
}

Status Interpreter::Invoke() {
  if (!prepared_) return Status::kNotPrepared;
  for (int32_t i = 0; i < program_.op_count(); ++i) {
    TL_RT_RETURN_IF_ERROR(ops_[i].eval(ops_[i]));
  }
  return Status::kOk;
}

Status Interpreter::View(int32_t tensor, TensorView* view) const {
  view->info = program_.tensor(tensor);
  view->data = arena_ + view->info.offset;
  view->bytes = view->info.byte_size;
  return Status::kOk;
}

Status Interpreter::input(int32_t i, TensorView* view) const {
  if (!prepared_) return Status::kNotPrepared;
  if (i < 0 || i >= program_.input_count()) return Status::kOutOfRange;
  return View(program_.input_tensor(i), view);
}

Status Interpreter::output(int32_t i, TensorView* view) const {
  if (!prepared_) return Status::kNotPrepared;
  if (i < 0 || i >= program_.output_count()) return Status::kOutOfRange;
  return View(program_.output_tensor(i), view);
}

}  // namespace tinyloop::runtime
