"""LearnedSolvers from Python through ctypes (standard library only): a 2-D Poisson system (CG + SSOR), a Matrix
Market matrix (GMRES + ILU(0)), and the errors a bad matrix and an unknown method give. Residuals are recomputed here.

Usage: python3 example.py path/to/liblearnedsolvers.so [matrix.mtx]
"""
import ctypes
import math
import os
import sys

LS_OK, LS_ERROR_INVALID_MATRIX, LS_ERROR_UNKNOWN_NAME = 0, 3, 4


class Result(ctypes.Structure):
    """ls_result, field for field."""
    _fields_ = [("converged", ctypes.c_int32), ("reason", ctypes.c_int32), ("iterations", ctypes.c_int32),
                ("relative_residual", ctypes.c_double), ("seconds", ctypes.c_double)]


class LearnedSolversError(Exception):
    def __init__(self, lib, status, call):
        self.status = status
        super().__init__(f"{call}: {lib.ls_status_text(status).decode()}: {lib.ls_last_error().decode()}")


def load(path):
    lib = ctypes.CDLL(path)
    handle = ctypes.c_void_p
    out = ctypes.POINTER(ctypes.c_void_p)
    ints, doubles = ctypes.POINTER(ctypes.c_int32), ctypes.POINTER(ctypes.c_double)
    signatures = {
        "ls_context_create": [ctypes.c_char_p, out],
        "ls_context_free": [handle],
        "ls_matrix_create": [handle, ctypes.c_int32, ctypes.c_int32, ints, ints, doubles, out],
        "ls_matrix_update_values": [handle, ctypes.c_int32, doubles],
        "ls_matrix_free": [handle],
        "ls_solver_create": [handle, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, out],
        "ls_solve": [handle, doubles, doubles, ctypes.POINTER(Result)],
        "ls_solve_many": [handle, ctypes.c_int32, doubles, doubles, ctypes.POINTER(Result)],
        "ls_solver_free": [handle],
    }
    for name, arguments in signatures.items():
        function = getattr(lib, name)
        function.argtypes, function.restype = arguments, ctypes.c_int32
    for name, arguments in {"ls_last_error": [], "ls_status_text": [ctypes.c_int32], "ls_stop_reason_text": [ctypes.c_int32]}.items():
        function = getattr(lib, name)
        function.argtypes, function.restype = arguments, ctypes.c_char_p
    return lib


def call(lib, name, *arguments):
    status = getattr(lib, name)(*arguments)
    if status != LS_OK:
        raise LearnedSolversError(lib, status, name)


def poisson2d(m):
    """-Δu on an m x m grid (5-point stencil): 0-based CSR lists, columns sorted within each row."""
    row_ptr, col_idx, values = [0], [], []
    for i in range(m):
        for j in range(m):
            row = i * m + j
            for di, dj, v in ((-1, 0, -1.0), (0, -1, -1.0), (0, 0, 4.0), (0, 1, -1.0), (1, 0, -1.0)):
                if 0 <= i + di < m and 0 <= j + dj < m:
                    col_idx.append(row + di * m + dj)
                    values.append(v)
            row_ptr.append(len(col_idx))
    return m * m, row_ptr, col_idx, values


def read_matrix_market(path):
    """A real coordinate Matrix Market matrix (general or symmetric) as 0-based CSR lists."""
    with open(path) as f:
        header = f.readline()
        if not header.startswith("%%MatrixMarket matrix coordinate real"):
            raise ValueError(f"{path}: not a real coordinate Matrix Market matrix")
        symmetric = "symmetric" in header
        line = f.readline()
        while line.startswith("%"):
            line = f.readline()
        rows, _, count = (int(t) for t in line.split())
        entries = []
        for _ in range(count):
            i, j, v = f.readline().split()
            i, j, v = int(i) - 1, int(j) - 1, float(v)
            entries.append((i, j, v))
            if symmetric and i != j:
                entries.append((j, i, v))
    entries.sort()
    row_ptr = [0] * (rows + 1)
    for i, _, _ in entries:
        row_ptr[i + 1] += 1
    for r in range(rows):
        row_ptr[r + 1] += row_ptr[r]
    return rows, row_ptr, [e[1] for e in entries], [e[2] for e in entries]


def multiply(n, row_ptr, col_idx, values, x):
    return [sum(values[k] * x[col_idx[k]] for k in range(row_ptr[r], row_ptr[r + 1])) for r in range(n)]


def upload(lib, context, n, row_ptr, col_idx, values):
    matrix = ctypes.c_void_p()
    call(lib, "ls_matrix_create", context, n, len(col_idx), (ctypes.c_int32 * len(row_ptr))(*row_ptr),
         (ctypes.c_int32 * len(col_idx))(*col_idx), (ctypes.c_double * len(values))(*values), ctypes.byref(matrix))
    return matrix


failures = 0


def solve_and_check(lib, context, system, method, preconditioner, options, what):
    global failures
    n, row_ptr, col_idx, values = system
    matrix = upload(lib, context, *system)
    solver = ctypes.c_void_p()
    call(lib, "ls_solver_create", matrix, method.encode(), preconditioner.encode(), options.encode(), ctypes.byref(solver))
    b = multiply(n, row_ptr, col_idx, values, [1.0 + (i % 3) for i in range(n)])
    x = (ctypes.c_double * n)()
    result = Result()
    call(lib, "ls_solve", solver, (ctypes.c_double * n)(*b), x, ctypes.byref(result))
    ax = multiply(n, row_ptr, col_idx, values, list(x))
    residual = math.sqrt(sum((bi - ai) ** 2 for bi, ai in zip(b, ax)) / sum(bi * bi for bi in b))
    print(f"{what:34s} {lib.ls_stop_reason_text(result.reason).decode()} after {result.iterations} iterations, "
          f"{result.seconds * 1e3:.3f} ms; true relative residual {residual:.3e}")
    if not result.converged or not residual <= 1e-8:
        print(f"FAILED: {what} did not reach 1e-8")
        failures += 1
    call(lib, "ls_solver_free", solver)
    call(lib, "ls_matrix_free", matrix)


def expect(lib, wanted, what, action):
    global failures
    try:
        action()
        print(f"FAILED: {what} was accepted")
        failures += 1
    except LearnedSolversError as e:
        if e.status == wanted:
            print(f"{what:34s} refused as expected: {e}")
        else:
            print(f"FAILED: {what}: {e}")
            failures += 1


def main():
    lib = load(sys.argv[1])
    context = ctypes.c_void_p()
    call(lib, "ls_context_create", b"cpu", ctypes.byref(context))
    solve_and_check(lib, context, poisson2d(32), "cg", "ssor", "omega=1.5; rtol=1e-8", "poisson 32x32, cg + ssor(1.5)")
    if len(sys.argv) > 2:
        name = os.path.basename(sys.argv[2])
        solve_and_check(lib, context, read_matrix_market(sys.argv[2]), "gmres", "ilu0", "rtol=1e-8, restart=30",
                        f"{name}, gmres + ilu0")

    n, row_ptr, col_idx, values = poisson2d(3)
    col_idx[2] = -1  # entry 2 (0-based, row 0) names column -1
    expect(lib, LS_ERROR_INVALID_MATRIX, "column index out of range", lambda: upload(lib, context, n, row_ptr, col_idx, values))
    matrix = upload(lib, context, *poisson2d(3))
    expect(lib, LS_ERROR_UNKNOWN_NAME, "unknown method",
           lambda: call(lib, "ls_solver_create", matrix, b"minres", None, None, ctypes.byref(ctypes.c_void_p())))
    call(lib, "ls_matrix_free", matrix)
    call(lib, "ls_context_free", context)
    if failures:
        print(f"{failures} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
