"""Writes ONNX backend-test data for the package of slm-test-package
(test/unit/PackageTestUtil.h): x f32[n, 4], mask i64[p + n] ->
y = x + [1, 2, 3, 4], m = mask + p, abi_ok = 1.

usage: make_test_data.py DIR [--mismatch] [--wrong-dtype] [--unnamed] [--typed]
  --mismatch     y of test_data_set_1 is off by 0.01 in one element
  --wrong-dtype  x is stored as int64
  --unnamed      tensors have no names (slmc-run matches them by position)
  --typed        float_data/int64_data instead of raw_data
"""
import os
import sys

import numpy as np
from onnx import helper, numpy_helper

# Debian's onnx 1.12 has no helper.np_dtype_to_tensor_dtype.
DTYPES = {np.dtype(np.float32): 1, np.dtype(np.int64): 7}


def save(path, array, name, typed):
    if typed:
        dtype = DTYPES[array.dtype]
        tensor = helper.make_tensor(name, dtype, array.shape, array.flatten().tolist())
    else:
        tensor = numpy_helper.from_array(array, name)
    with open(path, "wb") as f:
        f.write(tensor.SerializeToString())


def main():
    out = sys.argv[1]
    flags = set(sys.argv[2:])
    name = (lambda n: "") if "--unnamed" in flags else (lambda n: n)
    typed = "--typed" in flags
    for k, (n, p) in enumerate([(3, 2), (1, 7)]):
        d = os.path.join(out, "test_data_set_%d" % k)
        os.makedirs(d, exist_ok=True)
        x = np.arange(n * 4, dtype=np.float32).reshape(n, 4) * 0.5 - 3
        mask = np.arange(100, 100 + p + n, dtype=np.int64)
        y = x + np.array([1, 2, 3, 4], np.float32)
        m = mask + p
        if "--mismatch" in flags and k == 1:
            y[0, 2] += 0.01
        if "--wrong-dtype" in flags:
            x = x.astype(np.int64)
        save(os.path.join(d, "input_0.pb"), x, name("x"), typed)
        save(os.path.join(d, "input_1.pb"), mask, name("mask"), typed)
        save(os.path.join(d, "output_0.pb"), y, name("y"), typed)
        save(os.path.join(d, "output_1.pb"), m, name("m"), typed)
        save(os.path.join(d, "output_2.pb"), np.array(1, np.int64), name("abi_ok"), typed)


if __name__ == "__main__":
    main()
