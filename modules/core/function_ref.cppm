// gibbs.core:function_ref — a non-owning reference to a callable, for the bodies handed to the
// parallel loops (RangeBody) and to a network's training pass (nn::LossRows).
module;
#include <cstddef>
export module gibbs.core:function_ref;

export namespace gibbs {

template <class Signature>
class FunctionRef;

// Calls a callable of this signature: unlike std::function it never allocates. The callable
// must outlive the call.
template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F>
  FunctionRef(const F& f)  // NOLINT: converts implicitly, as std::function does
      : object_(&f), call_([](const void* o, Args... args) -> R { return (*static_cast<const F*>(o))(args...); }) {}
  R operator()(Args... args) const { return call_(object_, args...); }

 private:
  const void* object_;
  R (*call_)(const void*, Args...);
};

}  // namespace gibbs
