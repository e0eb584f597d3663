// LearnedSolvers from C++: the C header behind small RAII owners, a 2-D Poisson system (GMRES + ILU(0)), a Matrix
// Market matrix (CG + IC(0)), and the errors a bad matrix and an unknown method give, as exceptions here.
// Every residual is recomputed in C++. Usage: example_cpp [matrix.mtx]
#include <learnedsolvers.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace {

struct Error : std::runtime_error {
    Error(ls_status status, const std::string& what)
        : std::runtime_error(what + ": " + ls_status_text(status) + ": " + ls_last_error()), status(status) {}
    ls_status status;
};

void check(ls_status status, const char* what)
{
    if (status != LS_OK) throw Error(status, what);
}

template <typename T, ls_status (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using Context = std::unique_ptr<ls_context, Deleter<ls_context, ls_context_free>>;
using Matrix = std::unique_ptr<ls_matrix, Deleter<ls_matrix, ls_matrix_free>>;
using Solver = std::unique_ptr<ls_solver, Deleter<ls_solver, ls_solver_free>>;

struct Csr {
    int32_t n = 0;
    std::vector<int32_t> row_ptr, col_idx;
    std::vector<double> values;

    std::vector<double> operator*(const std::vector<double>& x) const
    {
        std::vector<double> y(n, 0.0);
        for (int32_t r = 0; r < n; r++)
            for (int32_t k = row_ptr[r]; k < row_ptr[r + 1]; k++) y[r] += values[k] * x[col_idx[k]];
        return y;
    }
};

Context make_context(const char* device)
{
    ls_context* c = nullptr;
    check(ls_context_create(device, &c), "ls_context_create");
    return Context(c);
}

Matrix upload(ls_context* context, const Csr& a)
{
    ls_matrix* m = nullptr;
    check(ls_matrix_create(context, a.n, static_cast<int32_t>(a.col_idx.size()), a.row_ptr.data(), a.col_idx.data(),
                           a.values.data(), &m),
          "ls_matrix_create");
    return Matrix(m);
}

Solver make_solver(ls_matrix* matrix, const char* method, const char* preconditioner, const char* options)
{
    ls_solver* s = nullptr;
    check(ls_solver_create(matrix, method, preconditioner, options, &s), "ls_solver_create");
    return Solver(s);
}

Csr poisson2d(int32_t m)
{
    Csr a;
    a.n = m * m;
    a.row_ptr.push_back(0);
    for (int32_t i = 0; i < m; i++)
        for (int32_t j = 0; j < m; j++) {
            int32_t row = i * m + j;
            auto put = [&](int32_t c, double v) { a.col_idx.push_back(c); a.values.push_back(v); };
            if (i > 0) put(row - m, -1);
            if (j > 0) put(row - 1, -1);
            put(row, 4);
            if (j < m - 1) put(row + 1, -1);
            if (i < m - 1) put(row + m, -1);
            a.row_ptr.push_back(static_cast<int32_t>(a.col_idx.size()));
        }
    return a;
}

Csr read_matrix_market(const std::string& path)
{
    std::ifstream in(path);
    std::string line;
    if (!std::getline(in, line) || line.rfind("%%MatrixMarket matrix coordinate real", 0) != 0)
        throw std::runtime_error(path + ": not a real coordinate Matrix Market matrix");
    bool symmetric = line.find("symmetric") != std::string::npos;
    while (std::getline(in, line) && line[0] == '%') {}
    int32_t rows = 0, cols = 0, count = 0;
    std::istringstream(line) >> rows >> cols >> count;
    std::vector<std::tuple<int32_t, int32_t, double>> entries;
    for (int32_t k = 0; k < count; k++) {
        int32_t i, j;
        double v;
        in >> i >> j >> v;
        entries.emplace_back(i - 1, j - 1, v);
        if (symmetric && i != j) entries.emplace_back(j - 1, i - 1, v);
    }
    std::sort(entries.begin(), entries.end());
    Csr a;
    a.n = rows;
    a.row_ptr.assign(rows + 1, 0);
    for (auto& [i, j, v] : entries) {
        a.row_ptr[i + 1]++;
        a.col_idx.push_back(j);
        a.values.push_back(v);
    }
    for (int32_t r = 0; r < rows; r++) a.row_ptr[r + 1] += a.row_ptr[r];
    return a;
}

int failures = 0;

void solve_and_check(ls_context* context, const Csr& a, const char* method, const char* preconditioner, const std::string& what)
{
    Matrix matrix = upload(context, a);
    Solver solver = make_solver(matrix.get(), method, preconditioner, "rtol=1e-8, maxit=20000, restart=50");
    std::vector<double> exact(a.n);
    for (int32_t i = 0; i < a.n; i++) exact[i] = std::cos(0.1 * i);
    std::vector<double> b = a * exact, x(a.n, 0.0);
    ls_result r{};
    check(ls_solve(solver.get(), b.data(), x.data(), &r), "ls_solve");

    std::vector<double> ax = a * x;
    double rr = 0, bb = 0;
    for (int32_t i = 0; i < a.n; i++) {
        rr += (b[i] - ax[i]) * (b[i] - ax[i]);
        bb += b[i] * b[i];
    }
    double residual = std::sqrt(rr / bb);
    std::printf("%-34s %s after %d iterations, %.3f ms; true relative residual %.3e\n", what.c_str(),
                ls_stop_reason_text(r.reason), r.iterations, r.seconds * 1e3, residual);
    if (!r.converged || !(residual <= 1e-8)) {
        std::fprintf(stderr, "FAILED: %s did not reach 1e-8\n", what.c_str());
        failures++;
    }
}

template <typename F>
void expect(ls_status wanted, const char* what, F&& call)
{
    try {
        call();
        std::fprintf(stderr, "FAILED: %s was accepted\n", what);
        failures++;
    } catch (const Error& e) {
        if (e.status == wanted) {
            std::printf("%-34s refused as expected: %s\n", what, e.what());
        } else {
            std::fprintf(stderr, "FAILED: %s: %s (expected %s)\n", what, e.what(), ls_status_text(wanted));
            failures++;
        }
    }
}

}  // namespace

int main(int argc, char** argv)
{
    try {
        Context context = make_context("cpu");
        solve_and_check(context.get(), poisson2d(48), "gmres", "ilu0", "poisson 48x48, gmres + ilu0");
        if (argc > 1) {
            std::string path = argv[1];
            solve_and_check(context.get(), read_matrix_market(path), "cg", "ic0", path.substr(path.rfind('/') + 1) + ", cg + ic0");
        }

        Csr bad = poisson2d(3);
        bad.col_idx[4] = 9;  // row 1 (0-based) names column 9 of a 9 x 9 matrix
        expect(LS_ERROR_INVALID_MATRIX, "column index out of range", [&] { upload(context.get(), bad); });
        Matrix good = upload(context.get(), poisson2d(3));
        expect(LS_ERROR_UNKNOWN_NAME, "unknown method", [&] { make_solver(good.get(), "gmress", nullptr, nullptr); });
        expect(LS_ERROR_UNKNOWN_NAME, "unknown preconditioner", [&] { make_solver(good.get(), "cg", "ilu9", nullptr); });
        expect(LS_ERROR_INVALID_OPTION, "bad option value", [&] { make_solver(good.get(), "gmres", nullptr, "restart=0"); });
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    if (failures > 0) {
        std::fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    std::printf("all checks passed\n");
    return 0;
}
