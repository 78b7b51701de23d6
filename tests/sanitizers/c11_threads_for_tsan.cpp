// ThreadSanitizer intercepts pthread calls but not glibc's C11 threads, which Debian's librdkafka
// uses (thrd_create, mtx_lock, cnd_wait, ...; `nm -D librdkafka.so.1`). A thread it starts is
// then unknown to TSan, whose runtime crashes in that thread's first malloc, and its mutexes are
// invisible, so every handover through them would look like a race. Linked into TSan builds
// only: each C11 call becomes the pthread call TSan intercepts. glibc implements them the same
// way (mtx_t, cnd_t and once_flag are pthread objects of the same size), so nothing changes but
// what TSan can see.
#include <pthread.h>
#include <threads.h>

#include <cerrno>
#include <cstdint>
#include <new>

namespace {

struct ThreadStart {
  thrd_start_t func;
  void* arg;
};

void* run_thread(void* start_ptr) {
  ThreadStart start = *static_cast<ThreadStart*>(start_ptr);
  delete static_cast<ThreadStart*>(start_ptr);
  return reinterpret_cast<void*>(static_cast<intptr_t>(start.func(start.arg)));
}

int c11_result(int pthread_error) {
  switch (pthread_error) {
    case 0:
      return thrd_success;
    case ENOMEM:
      return thrd_nomem;
    case ETIMEDOUT:
      return thrd_timedout;
    case EBUSY:
      return thrd_busy;
    default:
      return thrd_error;
  }
}

pthread_mutex_t* as_pthread(mtx_t* mutex) { return reinterpret_cast<pthread_mutex_t*>(mutex); }
pthread_cond_t* as_pthread(cnd_t* cond) { return reinterpret_cast<pthread_cond_t*>(cond); }

static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t));
static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t));
static_assert(sizeof(once_flag) == sizeof(pthread_once_t));
static_assert(sizeof(thrd_t) == sizeof(pthread_t));

}  // namespace

extern "C" {

int thrd_create(thrd_t* thread, thrd_start_t func, void* arg) {
  auto* start = new (std::nothrow) ThreadStart{func, arg};
  if (start == nullptr) return thrd_nomem;
  int error = pthread_create(thread, nullptr, run_thread, start);
  if (error != 0) delete start;
  return c11_result(error);
}

int thrd_join(thrd_t thread, int* result) {
  void* value = nullptr;
  int error = pthread_join(thread, &value);
  if (error == 0 && result != nullptr) {
    *result = static_cast<int>(reinterpret_cast<intptr_t>(value));
  }
  return c11_result(error);
}

int thrd_detach(thrd_t thread) { return c11_result(pthread_detach(thread)); }

int mtx_init(mtx_t* mutex, int type) {
  pthread_mutexattr_t attributes;
  pthread_mutexattr_init(&attributes);
  if (type & mtx_recursive) pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_RECURSIVE);
  int error = pthread_mutex_init(as_pthread(mutex), &attributes);
  pthread_mutexattr_destroy(&attributes);
  return c11_result(error);
}

int mtx_lock(mtx_t* mutex) { return c11_result(pthread_mutex_lock(as_pthread(mutex))); }
int mtx_trylock(mtx_t* mutex) { return c11_result(pthread_mutex_trylock(as_pthread(mutex))); }
int mtx_timedlock(mtx_t* __restrict mutex, const struct timespec* __restrict until) {
  return c11_result(pthread_mutex_timedlock(as_pthread(mutex), until));
}
int mtx_unlock(mtx_t* mutex) { return c11_result(pthread_mutex_unlock(as_pthread(mutex))); }
void mtx_destroy(mtx_t* mutex) { pthread_mutex_destroy(as_pthread(mutex)); }

int cnd_init(cnd_t* cond) { return c11_result(pthread_cond_init(as_pthread(cond), nullptr)); }
int cnd_signal(cnd_t* cond) { return c11_result(pthread_cond_signal(as_pthread(cond))); }
int cnd_broadcast(cnd_t* cond) { return c11_result(pthread_cond_broadcast(as_pthread(cond))); }
int cnd_wait(cnd_t* cond, mtx_t* mutex) {
  return c11_result(pthread_cond_wait(as_pthread(cond), as_pthread(mutex)));
}
int cnd_timedwait(cnd_t* __restrict cond, mtx_t* __restrict mutex,
                  const struct timespec* __restrict until) {
  return c11_result(pthread_cond_timedwait(as_pthread(cond), as_pthread(mutex), until));
}
void cnd_destroy(cnd_t* cond) { pthread_cond_destroy(as_pthread(cond)); }

void call_once(once_flag* flag, void (*func)(void)) {
  pthread_once(reinterpret_cast<pthread_once_t*>(flag), func);
}

}  // extern "C"
