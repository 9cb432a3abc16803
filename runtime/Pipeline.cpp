//===- Pipeline.cpp - Load and run the kernels of one PTX file ------------===//

#include "runtime/Pipeline.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

using namespace attn::rt;

Expected<std::string> attn::rt::readFile(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return Status::error(StatusCode::IoError,
                         "cannot open '" + path + "': " + std::strerror(errno));
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad())
    return Status::error(StatusCode::IoError, "cannot read '" + path + "'");
  return text.str();
}

Expected<Pipeline> Pipeline::loadFile(const Context &context,
                                      const std::string &path) {
  Expected<std::string> text = readFile(path);
  if (!text.ok())
    return text.status();
  return load(context, *text, path);
}

Expected<Pipeline> Pipeline::load(const Context &context,
                                  const std::string &ptx,
                                  const std::string &name) {
  Expected<Manifest> manifest = parseManifest(ptx, name);
  if (!manifest.ok())
    return manifest.status();

  Pipeline pipeline;
  pipeline.context_ = &context;
  pipeline.name_ = name;
  pipeline.manifest_ = manifest.take();
  const Manifest &decl = pipeline.manifest_;

  Expected<Module> module = Module::loadPtx(context, ptx, name);
  if (!module.ok())
    return module.status();
  pipeline.module_ = module.take();

  for (const KernelDecl &kernelDecl : decl.kernels) {
    Expected<Kernel> kernel = pipeline.module_.kernel(kernelDecl.name);
    if (!kernel.ok())
      return kernel.status().withContext(name + ":" +
                                         std::to_string(kernelDecl.line));
    pipeline.kernels_.push_back(kernel.take());

    std::vector<ArgSlot> slots;
    for (const std::string &arg : kernelDecl.args) {
      if (arg == "q")
        slots.push_back({ArgSlot::Q});
      else if (arg == "k")
        slots.push_back({ArgSlot::K});
      else if (arg == "v")
        slots.push_back({ArgSlot::V});
      else if (arg == "o")
        slots.push_back({ArgSlot::O});
      else if (arg == "lse")
        slots.push_back({ArgSlot::Lse});
      else if (const BufferDecl *buffer = decl.findBuffer(arg))
        slots.push_back(
            {ArgSlot::Intermediate, size_t(buffer - decl.buffers.data())});
      else // parseManifest checked every name.
        return Status::error(StatusCode::ParseError,
                             name + ": unknown argument '" + arg + "'");
    }
    pipeline.argSlots_.push_back(std::move(slots));
  }

  Expected<MemInfo> before = context.memInfo();
  if (!before.ok())
    return before.status();
  for (const BufferDecl &buffer : decl.buffers) {
    Expected<DeviceBuffer> allocated = DeviceBuffer::allocate(
        context, buffer.bytes(), "intermediate '" + buffer.name + "'");
    if (!allocated.ok())
      return allocated.status().withContext(name);
    pipeline.intermediates_.push_back(allocated.take());
  }
  Expected<MemInfo> after = context.memInfo();
  if (!after.ok())
    return after.status();
  pipeline.measuredBytes_ =
      int64_t(before->freeBytes) - int64_t(after->freeBytes);
  return pipeline;
}

Status Pipeline::checkIo(const PipelineIo &io) const {
  const Problem &problem = manifest_.problem;
  uint64_t tensorBytes =
      uint64_t(problem.tensorElements()) * sizeOf(problem.dtype);
  uint64_t lseBytes = uint64_t(problem.lseElements()) * sizeof(float);
  struct Need {
    const char *name;
    const DeviceBuffer *buffer;
    uint64_t bytes;
  } needs[] = {{"q", io.q, tensorBytes},
               {"k", io.k, tensorBytes},
               {"v", io.v, tensorBytes},
               {"o", io.o, tensorBytes},
               {"lse", io.lse, problem.lse ? lseBytes : 0}};
  for (const Need &need : needs) {
    if (need.bytes == 0)
      continue;
    if (!need.buffer || !need.buffer->pointer())
      return Status::error(StatusCode::InvalidArgument,
                           name_ + ": no device buffer given for '" +
                               need.name + "'");
    if (need.buffer->bytes() < need.bytes)
      return Status::error(StatusCode::InvalidArgument,
                           name_ + ": buffer for '" + need.name + "' holds " +
                               std::to_string(need.buffer->bytes()) +
                               " bytes; the problem needs " +
                               std::to_string(need.bytes));
  }
  return Status::success();
}

Status Pipeline::fillIntermediates(uint8_t value) {
  for (DeviceBuffer &buffer : intermediates_)
    if (Status status = buffer.fill(value); !status.ok())
      return status;
  return Status::success();
}

Status Pipeline::resolveArgs(const PipelineIo &io, size_t kernel,
                             std::vector<CUdeviceptr> &args) const {
  args.clear();
  for (const ArgSlot &slot : argSlots_[kernel]) {
    const DeviceBuffer *buffer = nullptr;
    switch (slot.kind) {
    case ArgSlot::Q:
      buffer = io.q;
      break;
    case ArgSlot::K:
      buffer = io.k;
      break;
    case ArgSlot::V:
      buffer = io.v;
      break;
    case ArgSlot::O:
      buffer = io.o;
      break;
    case ArgSlot::Lse:
      buffer = io.lse;
      break;
    case ArgSlot::Intermediate:
      buffer = &intermediates_[slot.intermediate];
      break;
    }
    if (!buffer || !buffer->pointer())
      return Status::error(StatusCode::InvalidArgument,
                           name_ + ": kernel '" + kernels_[kernel].name() +
                               "' has an argument with no device buffer");
    args.push_back(buffer->pointer());
  }
  return Status::success();
}

Status Pipeline::run(const PipelineIo &io) const {
  if (Status status = checkIo(io); !status.ok())
    return status;
  std::vector<CUdeviceptr> args;
  for (size_t k = 0; k < kernels_.size(); ++k) {
    if (Status status = resolveArgs(io, k, args); !status.ok())
      return status;
    if (Status status = kernels_[k].launch(manifest_.kernels[k].shape, args);
        !status.ok())
      return status.withContext(name_);
  }
  return Status::success();
}

Expected<PipelineTiming> Pipeline::time(const std::vector<PipelineIo> &ioSets,
                                        int warmup, int reps) const {
  if (ioSets.empty())
    return Status::error(StatusCode::InvalidArgument,
                         "timing needs at least one set of buffers");
  if (warmup < 0 || reps < 1)
    return Status::error(StatusCode::InvalidArgument,
                         "timing needs warmup >= 0 and reps >= 1");
  for (const PipelineIo &io : ioSets)
    if (Status status = checkIo(io); !status.ok())
      return status;

  for (int i = 0; i < warmup; ++i)
    if (Status status = run(ioSets[size_t(i) % ioSets.size()]); !status.ok())
      return status;
  if (Status status =
          context_->synchronize("running the warm-up of '" + name_ + "'");
      !status.ok())
    return status;

  // events[r * (K + 1) + k] is recorded before kernel k of repetition r; the
  // last of each repetition after its last kernel. Everything is queued
  // first and waited for once, so no host gap enters the timings.
  size_t kernelCount = kernels_.size();
  size_t perRep = kernelCount + 1;
  std::vector<Event> events;
  events.reserve(size_t(reps) * perRep);
  for (size_t i = 0; i < size_t(reps) * perRep; ++i) {
    Expected<Event> event = Event::create(*context_);
    if (!event.ok())
      return event.status();
    events.push_back(event.take());
  }

  std::vector<CUdeviceptr> args;
  for (int r = 0; r < reps; ++r) {
    const PipelineIo &io = ioSets[size_t(r) % ioSets.size()];
    Event *repEvents = &events[size_t(r) * perRep];
    if (Status status = repEvents[0].record(); !status.ok())
      return status;
    for (size_t k = 0; k < kernelCount; ++k) {
      if (Status status = resolveArgs(io, k, args); !status.ok())
        return status;
      if (Status status = kernels_[k].launch(manifest_.kernels[k].shape, args);
          !status.ok())
        return status.withContext(name_);
      if (Status status = repEvents[k + 1].record(); !status.ok())
        return status;
    }
  }
  if (Status status =
          context_->synchronize("running the timed runs of '" + name_ + "'");
      !status.ok())
    return status;

  PipelineTiming timing;
  timing.kernelMs.assign(kernelCount, {});
  for (int r = 0; r < reps; ++r) {
    const Event *repEvents = &events[size_t(r) * perRep];
    Expected<float> total =
        repEvents[kernelCount].millisecondsSince(repEvents[0]);
    if (!total.ok())
      return total.status();
    timing.totalMs.push_back(*total);
    for (size_t k = 0; k < kernelCount; ++k) {
      Expected<float> ms = repEvents[k + 1].millisecondsSince(repEvents[k]);
      if (!ms.ok())
        return ms.status();
      timing.kernelMs[k].push_back(*ms);
    }
  }
  return timing;
}
