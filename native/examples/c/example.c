/*
 * LearnedSolvers from C: a 2-D Poisson system (CG + AMG), the same system with new values and with three right-hand
 * sides at once, a Matrix Market matrix (PCG, Jacobi), and the errors a bad matrix and an unknown method give.
 * Every residual is recomputed here, in C. Usage: example_c [matrix.mtx]
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

typedef struct csr {
    int32_t n, nnz;
    int32_t* row_ptr;
    int32_t* col_idx;
    double* values;
} csr;

static void csr_free(csr* a)
{
    free(a->row_ptr);
    free(a->col_idx);
    free(a->values);
}

/* -Δu on an m x m grid, 5-point stencil, Dirichlet boundary: n = m², columns sorted within each row. */
static csr poisson2d(int32_t m)
{
    csr a = { m * m, 0, NULL, NULL, NULL };
    a.row_ptr = malloc(sizeof(int32_t) * (size_t)(a.n + 1));
    a.col_idx = malloc(sizeof(int32_t) * (size_t)(5 * a.n));
    a.values = malloc(sizeof(double) * (size_t)(5 * a.n));
    a.row_ptr[0] = 0;
    for (int32_t i = 0; i < m; i++)
        for (int32_t j = 0; j < m; j++) {
            int32_t row = i * m + j;
#define PUT(c, v) (a.col_idx[a.nnz] = (c), a.values[a.nnz] = (v), a.nnz++)
            if (i > 0) PUT(row - m, -1.0);
            if (j > 0) PUT(row - 1, -1.0);
            PUT(row, 4.0);
            if (j < m - 1) PUT(row + 1, -1.0);
            if (i < m - 1) PUT(row + m, -1.0);
#undef PUT
            a.row_ptr[row + 1] = a.nnz;
        }
    return a;
}

typedef struct entry { int32_t row, col; double value; } entry;

static int by_row_then_column(const void* p, const void* q)
{
    const entry* a = p;
    const entry* b = q;
    if (a->row != b->row) return a->row < b->row ? -1 : 1;
    return (a->col > b->col) - (a->col < b->col);
}

/* A real coordinate Matrix Market file (general or symmetric) as 0-based CSR. */
static csr read_matrix_market(const char* path)
{
    FILE* f = fopen(path, "r");
    if (f == NULL) { perror(path); exit(1); }
    char line[1024];
    if (fgets(line, sizeof line, f) == NULL || strncmp(line, "%%MatrixMarket matrix coordinate real", 37) != 0) {
        fprintf(stderr, "%s: not a real coordinate Matrix Market matrix\n", path);
        exit(1);
    }
    int symmetric = strstr(line, "symmetric") != NULL;
    do {
        if (fgets(line, sizeof line, f) == NULL) { fprintf(stderr, "%s: no size line\n", path); exit(1); }
    } while (line[0] == '%');
    int32_t rows, cols, count;
    if (sscanf(line, "%d %d %d", &rows, &cols, &count) != 3 || rows != cols) { fprintf(stderr, "%s: bad size line\n", path); exit(1); }
    entry* e = malloc(sizeof(entry) * (size_t)(2 * count));
    int32_t stored = 0;
    for (int32_t k = 0; k < count; k++) {
        int32_t i, j;
        double v;
        if (fscanf(f, "%d %d %lf", &i, &j, &v) != 3) { fprintf(stderr, "%s: entry %d unreadable\n", path, k + 1); exit(1); }
        e[stored++] = (entry){ i - 1, j - 1, v };
        if (symmetric && i != j) e[stored++] = (entry){ j - 1, i - 1, v };
    }
    fclose(f);
    qsort(e, (size_t)stored, sizeof(entry), by_row_then_column);
    csr a = { rows, stored, calloc((size_t)rows + 1, sizeof(int32_t)), malloc(sizeof(int32_t) * (size_t)stored),
              malloc(sizeof(double) * (size_t)stored) };
    for (int32_t k = 0; k < stored; k++) {
        a.row_ptr[e[k].row + 1]++;
        a.col_idx[k] = e[k].col;
        a.values[k] = e[k].value;
    }
    for (int32_t r = 0; r < rows; r++) a.row_ptr[r + 1] += a.row_ptr[r];
    free(e);
    return a;
}

static void multiply(const csr* a, const double* x, double* y)
{
    for (int32_t r = 0; r < a->n; r++) {
        double sum = 0;
        for (int32_t k = a->row_ptr[r]; k < a->row_ptr[r + 1]; k++) sum += a->values[k] * x[a->col_idx[k]];
        y[r] = sum;
    }
}

/* ||b - Ax|| / ||b||, in C, independent of the library. */
static double true_residual(const csr* a, const double* b, const double* x)
{
    double* ax = malloc(sizeof(double) * (size_t)a->n);
    multiply(a, x, ax);
    double rr = 0, bb = 0;
    for (int32_t i = 0; i < a->n; i++) {
        rr += (b[i] - ax[i]) * (b[i] - ax[i]);
        bb += b[i] * b[i];
    }
    free(ax);
    return sqrt(rr / bb);
}

static void report(const char* what, const csr* a, const double* b, const double* x, const ls_result* r)
{
    double residual = true_residual(a, b, x);
    printf("%-32s %s after %d iterations, %.3f ms; true relative residual %.3e (library: %.3e)\n", what,
           ls_stop_reason_text(r->reason), r->iterations, r->seconds * 1e3, residual, r->relative_residual);
    if (!r->converged || !(residual <= 1e-8)) {
        fprintf(stderr, "FAILED: %s did not reach 1e-8\n", what);
        failures++;
    }
}

/* Solves with b = A * (1, 2, 3, ...) from x = 0. */
static void solve_and_check(ls_context* context, const csr* a, const char* method, const char* preconditioner, const char* what)
{
    ls_matrix* matrix;
    ls_solver* solver;
    CHECK(ls_matrix_create(context, a->n, a->nnz, a->row_ptr, a->col_idx, a->values, &matrix));
    CHECK(ls_solver_create(matrix, method, preconditioner, "rtol=1e-8; maxit=20000", &solver));
    double* b = malloc(sizeof(double) * (size_t)a->n);
    double* x = calloc((size_t)a->n, sizeof(double));
    double* exact = malloc(sizeof(double) * (size_t)a->n);
    for (int32_t i = 0; i < a->n; i++) exact[i] = 1.0 + (double)(i % 7);
    multiply(a, exact, b);
    ls_result r;
    CHECK(ls_solve(solver, b, x, &r));
    report(what, a, b, x, &r);
    free(b);
    free(x);
    free(exact);
    CHECK(ls_solver_free(solver));
    CHECK(ls_matrix_free(matrix));
}

static void poisson(ls_context* context)
{
    csr a = poisson2d(40);
    ls_matrix* matrix;
    ls_solver* solver;
    CHECK(ls_matrix_create(context, a.n, a.nnz, a.row_ptr, a.col_idx, a.values, &matrix));
    CHECK(ls_solver_create(matrix, "cg", "amg", "rtol=1e-8", &solver));

    double* b = malloc(sizeof(double) * (size_t)a.n);
    double* x = calloc((size_t)a.n, sizeof(double));
    for (int32_t i = 0; i < a.n; i++) b[i] = 1.0;
    ls_result r;
    CHECK(ls_solve(solver, b, x, &r));
    report("poisson 40x40, cg + amg", &a, b, x, &r);

    /* New values on the same pattern (A + I): the solver refreshes its setup at the next solve. */
    for (int32_t r0 = 0; r0 < a.n; r0++)
        for (int32_t k = a.row_ptr[r0]; k < a.row_ptr[r0 + 1]; k++)
            if (a.col_idx[k] == r0) a.values[k] += 1.0;
    CHECK(ls_matrix_update_values(matrix, a.nnz, a.values));
    memset(x, 0, sizeof(double) * (size_t)a.n);
    CHECK(ls_solve(solver, b, x, &r));
    report("poisson + I (updated values)", &a, b, x, &r);

    /* Three right-hand sides, column-major, with one setup. */
    enum { K = 3 };
    double* bs = malloc(sizeof(double) * (size_t)a.n * K);
    double* xs = calloc((size_t)a.n * K, sizeof(double));
    for (int j = 0; j < K; j++)
        for (int32_t i = 0; i < a.n; i++) bs[(size_t)j * a.n + i] = sin(0.01 * (double)(i + 1) * (j + 1));
    ls_result results[K];
    CHECK(ls_solve_many(solver, K, bs, xs, results));
    for (int j = 0; j < K; j++) {
        char what[64];
        snprintf(what, sizeof what, "poisson + I, column %d of %d", j + 1, K);
        report(what, &a, bs + (size_t)j * a.n, xs + (size_t)j * a.n, &results[j]);
    }
    free(bs);
    free(xs);
    free(b);
    free(x);
    /* The matrix first: the solver keeps it alive until it goes too. */
    CHECK(ls_matrix_free(matrix));
    CHECK(ls_solver_free(solver));
    csr_free(&a);
}

static void expect(ls_status got, ls_status wanted, const char* what)
{
    if (got == wanted) {
        printf("%-32s refused as expected: %s: %s\n", what, ls_status_text(got), ls_last_error());
    } else {
        fprintf(stderr, "FAILED: %s gave %s, expected %s (%s)\n", what, ls_status_text(got), ls_status_text(wanted), ls_last_error());
        failures++;
    }
}

static void errors(ls_context* context)
{
    /* Row 1 of this 3 x 3 matrix names column 3: out of range. */
    int32_t row_ptr[] = { 0, 2, 4, 6 };
    int32_t col_idx[] = { 0, 1, 0, 3, 1, 2 };
    double values[] = { 2, -1, -1, 2, -1, 2 };
    ls_matrix* matrix = NULL;
    expect(ls_matrix_create(context, 3, 6, row_ptr, col_idx, values, &matrix), LS_ERROR_INVALID_MATRIX, "column index out of range");

    col_idx[3] = 2;
    CHECK(ls_matrix_create(context, 3, 6, row_ptr, col_idx, values, &matrix));
    ls_solver* solver = NULL;
    expect(ls_solver_create(matrix, "conjugate-gradients", NULL, NULL, &solver), LS_ERROR_UNKNOWN_NAME, "unknown method");
    expect(ls_solver_create(matrix, "cg", "jacobi", "rtool=1e-8", &solver), LS_ERROR_INVALID_OPTION, "misspelt option");
    expect(ls_solve(NULL, values, values, NULL), LS_ERROR_INVALID_ARGUMENT, "NULL solver");
    CHECK(ls_matrix_free(matrix));
    expect(ls_matrix_free(matrix), LS_ERROR_INVALID_HANDLE, "matrix freed twice");
}

int main(int argc, char** argv)
{
    ls_context* context;
    CHECK(ls_context_create("cpu", &context));
    char device[32];
    CHECK(ls_context_device(context, device, sizeof device));
    printf("device: %s\n", device);

    poisson(context);
    if (argc > 1) {
        csr a = read_matrix_market(argv[1]);
        char what[256];
        const char* name = strrchr(argv[1], '/');
        snprintf(what, sizeof what, "%s, pcg + jacobi", name != NULL ? name + 1 : argv[1]);
        solve_and_check(context, &a, "pcg", NULL, what);
        csr_free(&a);
    }
    errors(context);
    CHECK(ls_context_free(context));
    if (failures > 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all checks passed\n");
    return 0;
}
