//===- Pipeline.cpp - Load and run the kernels of one PTX file ------------===//

#include "runtime/Pipeline.h"

#include "runtime/File.h"
#include "runtime/Instantiate.h"
#include "runtime/TensorMap.h"

#include <map>
#include <mutex>

using namespace attn::rt;

TensorArg attn::rt::tensorArg(const DeviceBuffer &buffer) {
  return TensorArg(buffer.pointer(), {}, buffer.bytes());
}

/// The workspaces, allocated by whichever run comes first; for run-time
/// sizes, grown when a run needs more. Also the instantiated manifests of
/// run-time sizes, by sizes and strides.
struct Pipeline::Workspaces {
  std::mutex mutex;
  bool allocated = false;
  std::vector<DeviceBuffer> buffers;
  int64_t measuredBytes = 0;
  std::map<std::string, std::shared_ptr<const Manifest>> instances;
};

Pipeline::Pipeline() : workspaces_(std::make_unique<Workspaces>()) {}
Pipeline::Pipeline(Pipeline &&) noexcept = default;
Pipeline &Pipeline::operator=(Pipeline &&) noexcept = default;
Pipeline::~Pipeline() = default;

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
  Expected<Module> module = Module::loadPtx(context, ptx, name);
  if (!module.ok())
    return module.status();
  return create(context, manifest.take(), module.take(), name);
}

Expected<Pipeline> Pipeline::create(const Context &context, Manifest manifest,
                                    Module module, const std::string &name) {
  Pipeline pipeline;
  pipeline.context_ = &context;
  pipeline.name_ = name;
  pipeline.manifest_ = std::move(manifest);
  pipeline.module_ = std::move(module);
  const Manifest &decl = pipeline.manifest_;
  for (const KernelDecl &kernelDecl : decl.kernels) {
    Expected<Kernel> kernel = pipeline.module_.kernel(kernelDecl.name);
    if (!kernel.ok())
      return kernel.status().withContext(name + ":" +
                                         std::to_string(kernelDecl.line));
    pipeline.kernels_.push_back(kernel.take());
    std::vector<ArgRef> refs;
    for (const std::string &arg : kernelDecl.args) {
      std::optional<ArgRef> ref = decl.find(arg);
      if (!ref) // parseManifest checked every name.
        return Status::error(StatusCode::ParseError,
                             name + ": kernel '" + kernelDecl.name +
                                 "' takes '" + arg +
                                 "', which the manifest does not declare");
      refs.push_back(*ref);
    }
    pipeline.args_.push_back(std::move(refs));
  }
  return pipeline;
}

int64_t Pipeline::measuredWorkspaceBytes() const {
  std::lock_guard<std::mutex> lock(workspaces_->mutex);
  return workspaces_->measuredBytes;
}

Status Pipeline::allocateWorkspaces() const {
  if (manifest_.isDynamic()) // Sized by each run's instance.
    return Status::success();
  return allocateWorkspaces(manifest_);
}

Status Pipeline::allocateWorkspaces(const TensorBindings &tensors) const {
  Expected<std::shared_ptr<const Manifest>> instance = prepare(tensors);
  return instance.ok() ? Status::success() : instance.status();
}

Status Pipeline::allocateWorkspaces(const Manifest &instance) const {
  Workspaces &state = *workspaces_;
  std::lock_guard<std::mutex> lock(state.mutex);
  bool enough = state.allocated;
  for (size_t i = 0; enough && i < instance.workspaces.size(); ++i)
    enough = state.buffers[i].bytes() >= instance.workspaces[i].bytes();
  if (enough)
    return Status::success();
  // Runs in flight may use the buffers being replaced.
  if (state.allocated)
    if (Status status = context_->synchronize("growing the workspaces of '" +
                                              name_ + "'");
        !status.ok())
      return status;
  state.buffers.clear();
  Expected<MemInfo> before = context_->memInfo();
  if (!before.ok())
    return before.status();
  std::vector<DeviceBuffer> buffers;
  for (const WorkspaceDecl &workspace : instance.workspaces) {
    // The manifest bounds each count by 2^40 elements of at most 4 bytes:
    // the product fits, and the driver refuses what the device cannot hold.
    Expected<DeviceBuffer> allocated = DeviceBuffer::allocate(
        *context_, workspace.bytes(), "workspace '" + workspace.name + "'");
    if (!allocated.ok())
      return allocated.status().withContext(name_);
    buffers.push_back(allocated.take());
  }
  Expected<MemInfo> after = context_->memInfo();
  if (!after.ok())
    return after.status();
  state.buffers = std::move(buffers);
  state.measuredBytes = int64_t(before->freeBytes) - int64_t(after->freeBytes);
  state.allocated = true;
  return Status::success();
}

Expected<std::shared_ptr<const Manifest>>
Pipeline::instanceFor(const TensorBindings &tensors) const {
  if (!manifest_.isDynamic())
    return std::shared_ptr<const Manifest>(std::shared_ptr<void>(), &manifest_);
  // The key: every tensor's shape and strides.
  std::string key;
  for (const TensorDecl &decl : manifest_.tensors)
    if (const TensorArg *arg = tensors.find(decl.role)) {
      for (int64_t v : arg->shape)
        key += std::to_string(v) + ",";
      key += ";";
      for (int64_t v : arg->strides)
        key += std::to_string(v) + ",";
      key += "|";
    }
  {
    std::lock_guard<std::mutex> lock(workspaces_->mutex);
    auto found = workspaces_->instances.find(key);
    if (found != workspaces_->instances.end())
      return found->second;
  }
  Expected<Manifest> instance = instantiate(manifest_, tensors);
  if (!instance.ok())
    return instance.status().withContext(name_);
  auto shared = std::make_shared<const Manifest>(instance.take());
  std::lock_guard<std::mutex> lock(workspaces_->mutex);
  if (workspaces_->instances.size() >= 256) // Bounded: forget the oldest.
    workspaces_->instances.clear();
  workspaces_->instances.emplace(key, shared);
  return shared;
}

Status Pipeline::fillWorkspaces(uint8_t value) const {
  if (Status status = allocateWorkspaces(); !status.ok())
    return status;
  for (DeviceBuffer &buffer : workspaces_->buffers)
    if (Status status = buffer.fill(value); !status.ok())
      return status;
  return Status::success();
}

Status Pipeline::packArguments(const Manifest &instance, size_t index,
                               const TensorBindings &tensors,
                               KernelArgs &args) const {
  args.clear();
  const Problem &problem = instance.problem;
  for (const ArgRef &ref : args_[index]) {
    switch (ref.kind) {
    case ArgKind::Tensor:
      args.addPointer(tensors.find(instance.tensors[ref.index].role)->address);
      break;
    case ArgKind::Workspace:
      args.addPointer(workspaces_->buffers[ref.index].pointer());
      break;
    case ArgKind::TensorMap: {
      const TensorMapDecl &map = instance.tensorMaps[ref.index];
      const TensorDecl *tensor = instance.findTensor(map.tensor);
      Expected<CUtensorMap> encoded = encodeTensorMap(
          context_->driver(), map, tensors.find(tensor->role)->address);
      if (!encoded.ok())
        return encoded.status().withContext(name_);
      args.addBytes(&*encoded, TensorMapDecl::kBytes,
                    TensorMapDecl::kAlignment);
      break;
    }
    case ArgKind::Scalar: {
      const ScalarDecl &scalar = instance.scalars[ref.index];
      int64_t integer = scalar.intValue;
      if (scalar.size) {
        Expected<int64_t> value = scalar.size->evaluate(problem);
        if (!value.ok())
          return value.status().withContext(name_);
        integer = *value;
      }
      switch (scalar.type) {
      case ScalarType::I32:
        args.addI32(int32_t(integer));
        break;
      case ScalarType::I64:
        args.addI64(integer);
        break;
      case ScalarType::F32:
        args.addF32(scalar.size ? float(integer) : float(scalar.floatValue));
        break;
      }
      break;
    }
    }
  }
  return Status::success();
}

Status Pipeline::launchKernel(const Manifest &instance, size_t index,
                              const TensorBindings &tensors, CUstream stream,
                              KernelArgs &scratch) const {
  if (Status status = packArguments(instance, index, tensors, scratch);
      !status.ok())
    return status;
  if (Status status = kernels_[index].launch(instance.kernels[index].shape,
                                             scratch, stream);
      !status.ok())
    return status.withContext(name_);
  return Status::success();
}

Expected<std::shared_ptr<const Manifest>>
Pipeline::prepare(const TensorBindings &tensors) const {
  Expected<std::shared_ptr<const Manifest>> instance = instanceFor(tensors);
  if (!instance.ok())
    return instance.status();
  if (Status status = checkBindings(**instance, tensors); !status.ok())
    return status.withContext(name_);
  if (Status status = allocateWorkspaces(**instance); !status.ok())
    return status;
  return instance;
}

Status Pipeline::run(const TensorBindings &tensors, CUstream stream) const {
  Expected<std::shared_ptr<const Manifest>> instance = prepare(tensors);
  if (!instance.ok())
    return instance.status();
  KernelArgs args;
  for (size_t k = 0; k < kernels_.size(); ++k)
    if (Status status = launchKernel(**instance, k, tensors, stream, args);
        !status.ok())
      return status;
  return Status::success();
}

Expected<PipelineTiming> Pipeline::time(const std::vector<TensorBindings> &sets,
                                        int warmup, int reps) const {
  if (sets.empty())
    return Status::error(StatusCode::InvalidArgument,
                         "timing needs at least one set of tensors");
  // Bounded so that the events (one per kernel and repetition) are.
  constexpr int kMaxRuns = 1000000;
  if (warmup < 0 || reps < 1 || warmup > kMaxRuns || reps > kMaxRuns)
    return Status::error(
        StatusCode::InvalidArgument,
        "timing needs warmup in [0, " + std::to_string(kMaxRuns) +
            "] and reps in [1, " + std::to_string(kMaxRuns) + "], got " +
            std::to_string(warmup) + " and " + std::to_string(reps));
  std::vector<std::shared_ptr<const Manifest>> instances;
  for (const TensorBindings &tensors : sets) {
    Expected<std::shared_ptr<const Manifest>> instance = prepare(tensors);
    if (!instance.ok())
      return instance.status();
    instances.push_back(instance.take());
  }

  for (int i = 0; i < warmup; ++i)
    if (Status status = run(sets[size_t(i) % sets.size()]); !status.ok())
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

  KernelArgs args;
  for (int r = 0; r < reps; ++r) {
    const TensorBindings &tensors = sets[size_t(r) % sets.size()];
    const Manifest &instance = *instances[size_t(r) % sets.size()];
    Event *repEvents = &events[size_t(r) * perRep];
    if (Status status = repEvents[0].record(); !status.ok())
      return status;
    for (size_t k = 0; k < kernelCount; ++k) {
      if (Status status = launchKernel(instance, k, tensors, nullptr, args);
          !status.ok())
        return status;
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
