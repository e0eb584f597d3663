/*
 * The methods "direct" and "auto" through the C ABI: both solve one shared nonsymmetric matrix (one and several
 * right-hand sides), follow a value update, report a singular matrix as LS_SINGULAR, and refuse a preconditioner.
 * Every residual is recomputed here, in C. Run by CTest as "solver_kinds"; exits 1 on any failed check.
 */
#include <learnedsolvers.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(call) \
    do { \
        ls_status s_ = (call); \
        if (s_ != LS_OK) { \
            fprintf(stderr, "%s:%d: %s failed: %s: %s\n", __FILE__, __LINE__, #call, ls_status_text(s_), ls_last_error()); \
            exit(1); \
        } \
    } while (0)

#define EXPECT(condition, ...) \
    do { \
        if (!(condition)) { \
            fprintf(stderr, "FAILED (%s:%d, %s): ", __FILE__, __LINE__, #condition); \
            fprintf(stderr, __VA_ARGS__); \
            fprintf(stderr, "\n"); \
            failures++; \
        } \
    } while (0)

enum { M = 24, N = M * M, K = 3 };

typedef struct csr {
    int32_t nnz;
    int32_t row_ptr[N + 1];
    int32_t col_idx[5 * N];
    double values[5 * N];
} csr;

/* Convection-diffusion on an M x M grid (upwind, so nonsymmetric): auto cannot take the symmetric path. */
static void convection_diffusion(csr* a)
{
    a->nnz = 0;
    a->row_ptr[0] = 0;
    for (int32_t i = 0; i < M; i++)
        for (int32_t j = 0; j < M; j++) {
            int32_t row = i * M + j;
#define PUT(c, v) (a->col_idx[a->nnz] = (c), a->values[a->nnz] = (v), a->nnz++)
            if (i > 0) PUT(row - M, -1.0);
            if (j > 0) PUT(row - 1, -1.5);
            PUT(row, 4.5);
            if (j < M - 1) PUT(row + 1, -0.5);
            if (i < M - 1) PUT(row + M, -1.0);
#undef PUT
            a->row_ptr[row + 1] = a->nnz;
        }
}

static double relative_residual(const csr* a, const double* b, const double* x)
{
    double rr = 0, bb = 0;
    for (int32_t r = 0; r < N; r++) {
        double ax = 0;
        for (int32_t k = a->row_ptr[r]; k < a->row_ptr[r + 1]; k++) ax += a->values[k] * x[a->col_idx[k]];
        rr += (b[r] - ax) * (b[r] - ax);
        bb += b[r] * b[r];
    }
    return sqrt(rr / bb);
}

static void right_hand_side(double* b, int column)
{
    for (int32_t i = 0; i < N; i++) b[i] = sin(0.1 * (i + 1) * (column + 1)) + 0.5;
}

/* One solve from x = 0: converged relative, by the library's residual and by ours. */
static void check_solve(ls_solver* solver, const csr* a, const char* what, double tolerance)
{
    double b[N], x[N] = { 0 };
    right_hand_side(b, 0);
    ls_result r;
    CHECK(ls_solve(solver, b, x, &r));
    double residual = relative_residual(a, b, x);
    printf("%-40s %s, %d iteration(s), true relative residual %.2e (library %.2e)\n", what, ls_stop_reason_text(r.reason),
           r.iterations, residual, r.relative_residual);
    EXPECT(r.converged == 1 && r.reason == LS_CONVERGED_RELATIVE, "%s: reason %s", what, ls_stop_reason_text(r.reason));
    EXPECT(residual <= tolerance, "%s: residual %.3e > %.1e", what, residual, tolerance);
    EXPECT(r.relative_residual <= tolerance, "%s: the library reports %.3e > %.1e", what, r.relative_residual, tolerance);
}

static void check_many(ls_solver* solver, const csr* a, const char* what)
{
    double* b = malloc(sizeof(double) * N * K);
    double* x = calloc((size_t)N * K, sizeof(double));
    for (int j = 0; j < K; j++) right_hand_side(b + (size_t)j * N, j);
    ls_result r[K];
    CHECK(ls_solve_many(solver, K, b, x, r));
    for (int j = 0; j < K; j++) {
        double residual = relative_residual(a, b + (size_t)j * N, x + (size_t)j * N);
        printf("%-32s column %d: %s, true relative residual %.2e\n", what, j + 1, ls_stop_reason_text(r[j].reason), residual);
        EXPECT(r[j].converged == 1 && residual <= 1e-8, "%s column %d: %s, residual %.3e", what, j + 1, ls_stop_reason_text(r[j].reason), residual);
    }
    free(b);
    free(x);
}

static void shared_matrix(ls_context* context)
{
    static csr a;
    convection_diffusion(&a);
    ls_matrix* matrix;
    ls_solver *direct, *automatic;
    CHECK(ls_matrix_create(context, N, a.nnz, a.row_ptr, a.col_idx, a.values, &matrix));
    CHECK(ls_solver_create(matrix, "direct", NULL, "rtol=1e-12", &direct));
    CHECK(ls_solver_create(matrix, "Auto", "none", "rtol=1e-10; maxit=500", &automatic));

    check_solve(direct, &a, "direct", 1e-12);
    check_solve(automatic, &a, "auto", 1e-10);
    check_many(direct, &a, "direct, 3 right-hand sides");
    check_many(automatic, &a, "auto, 3 right-hand sides");

    /* Rows scaled by 1 .. 5: the old factors would leave a residual of order one (refinement with them diverges). */
    for (int32_t r = 0; r < N; r++)
        for (int32_t k = a.row_ptr[r]; k < a.row_ptr[r + 1]; k++) a.values[k] *= 1 + r % 5;
    CHECK(ls_matrix_update_values(matrix, a.nnz, a.values));
    check_solve(direct, &a, "direct after a value update", 1e-12);
    check_solve(automatic, &a, "auto after a value update", 1e-10);

    CHECK(ls_matrix_free(matrix));
    CHECK(ls_solver_free(direct));
    CHECK(ls_solver_free(automatic));
}

/* The same matrix with row 7 all zero: direct and auto both say LS_SINGULAR, and the call itself succeeds. */
static void singular(ls_context* context)
{
    static csr a;
    convection_diffusion(&a);
    for (int32_t k = a.row_ptr[7]; k < a.row_ptr[8]; k++) a.values[k] = 0;
    ls_matrix* matrix;
    CHECK(ls_matrix_create(context, N, a.nnz, a.row_ptr, a.col_idx, a.values, &matrix));
    const char* methods[] = { "direct", "auto" };
    for (int m = 0; m < 2; m++) {
        ls_solver* solver;
        CHECK(ls_solver_create(matrix, methods[m], NULL, "maxit=200", &solver));
        double b[N], x[N] = { 0 };
        right_hand_side(b, 0);
        ls_result r;
        CHECK(ls_solve(solver, b, x, &r));
        printf("%-40s %s: %s\n", methods[m], "singular matrix", ls_stop_reason_text(r.reason));
        EXPECT(r.reason == LS_SINGULAR && r.converged == 0, "%s on a singular matrix: reason %s", methods[m], ls_stop_reason_text(r.reason));
        EXPECT(strcmp(ls_stop_reason_text(LS_SINGULAR), "singular") == 0, "ls_stop_reason_text(LS_SINGULAR) is %s", ls_stop_reason_text(LS_SINGULAR));
        int finite = 1;
        for (int32_t i = 0; i < N; i++) finite &= isfinite(x[i]) != 0;
        EXPECT(finite, "%s on a singular matrix returned a non-finite x", methods[m]);
        CHECK(ls_solver_free(solver));
    }
    CHECK(ls_matrix_free(matrix));
}

static void refusals(ls_context* context)
{
    static csr a;
    convection_diffusion(&a);
    ls_matrix* matrix;
    CHECK(ls_matrix_create(context, N, a.nnz, a.row_ptr, a.col_idx, a.values, &matrix));
    ls_solver* solver = NULL;
    ls_status s = ls_solver_create(matrix, "direct", "ilu0", NULL, &solver);
    EXPECT(s == LS_ERROR_UNSUPPORTED && strstr(ls_last_error(), "takes no preconditioner") != NULL, "direct + ilu0 gave %s: %s",
           ls_status_text(s), ls_last_error());
    EXPECT(solver == NULL, "a refused solver handle is not NULL");
    s = ls_solver_create(matrix, "auto", "amg", NULL, &solver);
    EXPECT(s == LS_ERROR_UNSUPPORTED, "auto + amg gave %s: %s", ls_status_text(s), ls_last_error());
    s = ls_solver_create(matrix, "direct", NULL, "rtol=-1", &solver);
    EXPECT(s == LS_ERROR_INVALID_OPTION, "direct with rtol=-1 gave %s: %s", ls_status_text(s), ls_last_error());
    s = ls_solver_create(matrix, "directly", NULL, NULL, &solver);
    EXPECT(s == LS_ERROR_UNKNOWN_NAME && strstr(ls_last_error(), "direct, auto") != NULL, "unknown method gave %s: %s", ls_status_text(s),
           ls_last_error());
    CHECK(ls_matrix_free(matrix));

    char names[512];
    CHECK(ls_names(LS_NAMES_METHODS, names, sizeof names));
    printf("methods: %s\n", names);
    EXPECT(strstr(names, ",direct,auto") != NULL, "ls_names(LS_NAMES_METHODS) is '%s'", names);
}

int main(void)
{
    ls_context* context;
    CHECK(ls_context_create("cpu", &context));
    shared_matrix(context);
    singular(context);
    refusals(context);
    CHECK(ls_context_free(context));
    if (failures > 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all checks passed\n");
    return 0;
}
