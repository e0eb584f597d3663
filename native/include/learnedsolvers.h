/*
 * learnedsolvers.h: the C ABI of LearnedSolvers (sparse Krylov solvers and preconditioners on CPU and GPU, a sparse
 * direct solver, and an automatic choice among them).
 *
 * The library hosts the .NET runtime on first use (hostfxr); see native/README.md for what it needs at run time.
 *
 * Conventions
 *   - Every function returns an ls_status; LS_OK is 0. On any other status, ls_last_error() gives a message for the
 *     calling thread. No call ends the host program on bad input: pointers, handles, sizes, names and options are
 *     checked, and every failure inside the library comes back as a status.
 *   - Indices are 0-based everywhere (row pointers, column indices, and the entries and rows named in messages).
 *   - Data is copied: ls_matrix_create and ls_matrix_update_values copy the arrays before they return, ls_solve reads
 *     b and writes x before it returns. The caller may free or reuse its arrays at once.
 *   - Handles (ls_context, ls_matrix, ls_solver) are opaque. Free each with its _free function; freeing NULL does
 *     nothing, a freed or foreign handle gives LS_ERROR_INVALID_HANDLE. A solver keeps its matrix alive, so matrices,
 *     solvers and contexts may be freed in any order.
 *   - Threads: any call may come from any thread. One solver runs one solve at a time (a concurrent second call gets
 *     LS_ERROR_BUSY, and so does ls_solver_free while it solves); several solvers may share one matrix and solve at
 *     once. ls_matrix_update_values waits for running solves (and solver setups) on that matrix to finish.
 */
#ifndef LEARNEDSOLVERS_H
#define LEARNEDSOLVERS_H

#include <stdint.h>

#if defined(_WIN32)
#  if defined(LEARNEDSOLVERS_BUILDING)
#    define LS_API __declspec(dllexport)
#  else
#    define LS_API __declspec(dllimport)
#  endif
#else
#  define LS_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes; the library refuses managed assemblies built for another one. */
#define LS_ABI_VERSION 1

typedef enum ls_status {
    LS_OK = 0,
    LS_ERROR_INVALID_ARGUMENT = 1,   /* a NULL pointer, a size out of range */
    LS_ERROR_INVALID_HANDLE = 2,     /* a handle already freed, or not made by this library */
    LS_ERROR_INVALID_MATRIX = 3,     /* CSR structure (row pointers, column index out of range, unsorted row) or a non-finite value */
    LS_ERROR_UNKNOWN_NAME = 4,       /* a device, method or preconditioner name (the message lists the accepted ones) */
    LS_ERROR_INVALID_OPTION = 5,     /* an option key no solver or preconditioner reads, or a value that does not parse or is out of range */
    LS_ERROR_DEVICE_UNAVAILABLE = 6, /* e.g. "cuda" without a CUDA GPU */
    LS_ERROR_UNSUPPORTED = 7,        /* a preconditioner that does not run on the context's device, or that the method cannot use
                                        (direct and auto take none) */
    LS_ERROR_SETUP_FAILED = 8,       /* preconditioner setup failed (a zero pivot in a factorization) */
    LS_ERROR_BUSY = 9,               /* the solver is already solving on another thread */
    LS_ERROR_OUT_OF_MEMORY = 10,     /* includes direct factors that would exceed the memory the process may use */
    LS_ERROR_RUNTIME = 11,           /* the .NET runtime or the managed assemblies could not be loaded */
    LS_ERROR_INTERNAL = 12           /* anything else; the message names the exception */
} ls_status;

/* Why a solve stopped (PETSc's vocabulary). Not converging is not an error: ls_solve returns LS_OK and says so here. */
typedef enum ls_stop_reason {
    LS_CONVERGED_RELATIVE = 0,         /* ||b - Ax|| <= rtol ||b|| */
    LS_CONVERGED_ABSOLUTE = 1,         /* ||b - Ax|| <= atol */
    LS_MAX_ITERATIONS = 2,
    LS_BREAKDOWN = 3,                  /* a quantity the method divides by became zero */
    LS_DIVERGED = 4,                   /* the residual grew past divtol times its start */
    LS_NAN_OR_INFINITY = 5,
    LS_INDEFINITE_MATRIX = 6,          /* CG met p'Ap <= 0 */
    LS_INDEFINITE_PRECONDITIONER = 7,  /* PCG met r'Mr <= 0 */
    LS_STAGNATION = 8,
    LS_SINGULAR = 9                    /* a direct factorization found the matrix singular; x is not a solution */
} ls_stop_reason;

/* What one solve did (one per right-hand side). */
typedef struct ls_result {
    int32_t converged;          /* 1 when the stop reason is LS_CONVERGED_*, else 0 */
    int32_t reason;             /* an ls_stop_reason */
    int32_t iterations;
    double relative_residual;   /* the true ||b - Ax|| / ||b||, recomputed from the returned x */
    double seconds;             /* wall time of the solve (of the whole block for ls_solve_many), setup excluded */
} ls_result;

typedef struct ls_context ls_context;
typedef struct ls_matrix ls_matrix;
typedef struct ls_solver ls_solver;

/* The message of the last failed call on this thread (UTF-8, never NULL; "" when none). Valid until the next failed
 * call on this thread. Successful calls leave it as it was. */
LS_API const char* ls_last_error(void);

/* Constant text for a status ("invalid_matrix") or a stop reason ("converged_relative"); "unknown" for other numbers. */
LS_API const char* ls_status_text(int32_t status);
LS_API const char* ls_stop_reason_text(int32_t reason);

/* The accepted names, comma-separated, cut to fit into buffer (NUL-terminated). */
typedef enum ls_names_kind { LS_NAMES_METHODS = 0, LS_NAMES_PRECONDITIONERS = 1, LS_NAMES_DEVICES = 2, LS_NAMES_OPTIONS = 3 } ls_names_kind;
LS_API ls_status ls_names(int32_t kind, char* buffer, int32_t capacity);

/* A context fixes the device: "cpu" (managed, multi-threaded), "cuda" (the first CUDA GPU, through ILGPU),
 * "ilgpu-cpu" (ILGPU's CPU accelerator, for testing the GPU code path), or "auto" (cuda when present, else cpu);
 * NULL means "cpu". The first call starts the .NET runtime, which stays loaded until the process ends. */
LS_API ls_status ls_context_create(const char* device, ls_context** context);
/* The device actually chosen ("auto" resolves to "cpu" or "cuda"), NUL-terminated and cut to fit. */
LS_API ls_status ls_context_device(const ls_context* context, char* name, int32_t capacity);
LS_API ls_status ls_context_free(ls_context* context);

/* An n x n matrix in CSR form, copied: row_ptr has n + 1 entries with row_ptr[0] = 0 and row_ptr[n] = nnz; col_idx
 * and values have nnz entries; columns within a row are sorted and unique, and in 0 .. n-1; values are finite.
 * A violation gives LS_ERROR_INVALID_MATRIX and a message that names the 0-based entry and row. */
LS_API ls_status ls_matrix_create(ls_context* context, int32_t n, int32_t nnz, const int32_t* row_ptr,
                                  const int32_t* col_idx, const double* values, ls_matrix** matrix);
/* New values (nnz of them, copied) on the same pattern. Solvers made from the matrix notice at their next solve and
 * redo only the value-dependent setup (refreshable preconditioners refresh in place; GCRO-DR keeps its recycle space;
 * direct refactors on the ordering and analysis it has; auto starts its choice again). */
LS_API ls_status ls_matrix_update_values(ls_matrix* matrix, int32_t nnz, const double* values);
LS_API ls_status ls_matrix_free(ls_matrix* matrix);

/* A solver: method is one of (any case)
 *   cg, pcg, fcg, gmres, fgmres, bicgstab, gcrodr   Krylov methods with a preconditioner;
 *   direct   a sparse LU or Cholesky factorization (SuiteSparse KLU, UMFPACK or CHOLMOD when installed, else the
 *            library's own), made here and reused by every solve; iterations is 1 and x's initial content is ignored;
 *            a singular matrix is not an error: each solve returns LS_OK with reason LS_SINGULAR;
 *   auto     orders methods by the matrix's properties (direct first up to 50000 rows; AMG-PCG and IC(0)-CG for
 *            symmetric matrices with a positive diagonal; ILU-GMRES, matched ILUTP-GMRES and BiCGStab for others) and
 *            tries the next when one fails; the method that solved is tried first next time.
 * preconditioner is a name of the library's registry (none, jacobi, ssor, ic0, ilu0, fsai, chebyshev, gmg, amg, rsamg,
 * and the learned ones, which need option model=FILE); NULL or "" means none (jacobi for pcg). direct and auto take
 * none: another name gives LS_ERROR_UNSUPPORTED. options is NULL or "key=value" entries separated by ';' or ',': rtol
 * (1e-8), atol (0), maxit (10000; for auto, the most iterations of each method it tries, at most 1000), divtol (1e5),
 * restart (30, GMRES family and GCRO-DR), recycle (10, GCRO-DR), and the preconditioner settings (omega, shift, power,
 * degree, cycle, smoother, ...; see ls_names(LS_NAMES_OPTIONS)). direct reads only rtol and atol, to report
 * convergence of the true residual. A key that no solver or preconditioner reads gives LS_ERROR_INVALID_OPTION; a key
 * that only another preconditioner (or another method) reads is ignored. The preconditioner, or the factorization, is
 * set up here; auto sets each method up when it first tries it. */
LS_API ls_status ls_solver_create(ls_matrix* matrix, const char* method, const char* preconditioner,
                                  const char* options, ls_solver** solver);
/* Solves A x = b: b and x have n entries; x holds the initial guess on entry (zeros for none) and the solution on
 * return. result may be NULL. */
LS_API ls_status ls_solve(ls_solver* solver, const double* b, double* x, ls_result* result);
/* Solves for k right-hand sides with one setup: b and x are n x k, column-major (column j starts at j * n); results
 * has k entries or is NULL. CG and PCG run block CG on up to 256 columns (one block SpMV per iteration and one shared
 * Krylov space: fewer iterations than k single solves; each column stops on its own tolerance); direct applies its one
 * factorization to each column; auto starts each column with the method that solved the one before. */
LS_API ls_status ls_solve_many(ls_solver* solver, int32_t k, const double* b, double* x, ls_result* results);
LS_API ls_status ls_solver_free(ls_solver* solver);

#ifdef __cplusplus
}
#endif

#endif /* LEARNEDSOLVERS_H */
