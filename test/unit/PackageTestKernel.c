/* A hand-written kernel for the package/runtime tests: the kernel ABI of
 * runtime/lib/Session.cpp without the compiler.
 *
 *   symbols n, p; inputs x f32[n, 4], mask i64[p + n];
 *   weights w f32[4], odd u8[5];
 *   outputs y = x + w  f32[n, 4], m = mask + p  i64[p + n],
 *           abi_ok i64[]: 1 when every descriptor is as documented.
 */
#include <stdint.h>

typedef struct {
  void *allocated, *aligned;
  int64_t offset;
} Memref0;
typedef struct {
  void *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} Memref1;
typedef struct {
  void *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
} Memref2;

static int good(void *allocated, void *aligned, int64_t offset) {
  return allocated == aligned && offset == 0 && ((uintptr_t)aligned % 64) == 0;
}

__attribute__((visibility("default"))) void slm_main(void **args) {
  int64_t n = *(int64_t *)args[0];
  int64_t p = *(int64_t *)args[1];
  Memref2 *x = args[2];
  Memref1 *mask = args[3];
  Memref1 *w = args[4];
  Memref1 *odd = args[5];
  Memref2 *y = args[6];
  Memref1 *m = args[7];
  Memref0 *ok = args[8];

  int abi = good(x->allocated, x->aligned, x->offset) && x->sizes[0] == n &&
            x->sizes[1] == 4 && x->strides[0] == 4 && x->strides[1] == 1;
  abi = abi && good(mask->allocated, mask->aligned, mask->offset) &&
        mask->sizes[0] == p + n && mask->strides[0] == 1;
  abi = abi && good(w->allocated, w->aligned, w->offset) && w->sizes[0] == 4 &&
        w->strides[0] == 1;
  abi = abi && good(odd->allocated, odd->aligned, odd->offset) &&
        odd->sizes[0] == 5 && odd->strides[0] == 1;
  for (int i = 0; abi && i < 5; ++i)
    abi = ((const uint8_t *)odd->aligned)[i] == i + 1;
  abi = abi && good(y->allocated, y->aligned, y->offset) && y->sizes[0] == n &&
        y->sizes[1] == 4 && y->strides[0] == 4 && y->strides[1] == 1;
  abi = abi && good(m->allocated, m->aligned, m->offset) &&
        m->sizes[0] == p + n && m->strides[0] == 1;
  abi = abi && good(ok->allocated, ok->aligned, ok->offset);

  const float *xs = x->aligned, *ws = w->aligned;
  float *ys = y->aligned;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < 4; ++j)
      ys[i * 4 + j] = xs[i * 4 + j] + ws[j];
  const int64_t *ms = mask->aligned;
  int64_t *mo = m->aligned;
  for (int64_t i = 0; i < p + n; ++i)
    mo[i] = ms[i] + p;
  *(int64_t *)ok->aligned = abi;
}

/* For tests that only check symbol binding: a run must call something. */
__attribute__((visibility("default"))) void slm_test_noop(void **args) {
  (void)args;
}
