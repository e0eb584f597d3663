/*
 * The native half of learnedsolvers.h: starts the .NET runtime through nethost/hostfxr on first use, asks the managed
 * assembly (src/LearnedSolvers.Native) for its table of UnmanagedCallersOnly entry points, and forwards each call.
 * Messages live per thread on this side so that ls_last_error() returns a pointer C may keep until the next failure.
 */
#define _GNU_SOURCE
#include "learnedsolvers.h"

#include <coreclr_delegates.h>
#include <hostfxr.h>
#include <nethost.h>

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef LEARNEDSOLVERS_DOTNET_ROOT
#define LEARNEDSOLVERS_DOTNET_ROOT ""
#endif

#define MANAGED_ASSEMBLY "LearnedSolvers.Native"
#define MANAGED_FOLDER "learnedsolvers-managed"

/* The managed table's order (Exports.Table in src/LearnedSolvers.Native/Exports.cs). */
enum {
    EP_LAST_ERROR, EP_CONTEXT_CREATE, EP_CONTEXT_DEVICE, EP_CONTEXT_FREE, EP_MATRIX_CREATE, EP_MATRIX_UPDATE_VALUES,
    EP_MATRIX_FREE, EP_SOLVER_CREATE, EP_SOLVE, EP_SOLVE_MANY, EP_SOLVER_FREE, EP_NAMES, EP_COUNT
};

typedef int32_t (*get_entry_points_fn)(int32_t abi_version, void** table, int32_t count);

static void* entry[EP_COUNT];
static pthread_once_t runtime_once = PTHREAD_ONCE_INIT;
static int runtime_ready;
static char runtime_error[4096];

static _Thread_local char thread_error[4096];

static void set_runtime_error(const char* format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(runtime_error, sizeof runtime_error, format, args);
    va_end(args);
}

/* hostfxr reports its reasons (no matching framework, a bad runtimeconfig) through this writer, a line or a paragraph
 * at a time: keep them all, on one line, as far as they fit. */
static _Thread_local char hostfxr_message[2048];
static void HOSTFXR_CALLTYPE hostfxr_writer(const char_t* message)
{
    size_t used = strlen(hostfxr_message);
    for (const char_t* c = message; *c != '\0' && used + 1 < sizeof hostfxr_message; c++) {
        char ch = (*c == '\n' || *c == '\r') ? ' ' : (char)*c;
        if (ch == ' ' && (used == 0 || hostfxr_message[used - 1] == ' ')) continue;
        hostfxr_message[used++] = ch;
    }
    if (used > 0 && used + 1 < sizeof hostfxr_message && hostfxr_message[used - 1] != ' ') hostfxr_message[used++] = ' ';
    hostfxr_message[used] = '\0';
}

static int is_directory(const char* path)
{
    struct stat s;
    return path[0] != '\0' && stat(path, &s) == 0 && S_ISDIR(s.st_mode);
}

/* $LEARNEDSOLVERS_MANAGED_DIR, else learnedsolvers-managed/ beside this library (the build tree and install layout). */
static int managed_folder(char* folder, size_t size)
{
    const char* env = getenv("LEARNEDSOLVERS_MANAGED_DIR");
    if (env != NULL && env[0] != '\0') {
        snprintf(folder, size, "%s", env);
        return 1;
    }
    Dl_info info;
    if (dladdr((void*)&managed_folder, &info) == 0 || info.dli_fname == NULL) return 0;
    char library[PATH_MAX];
    if (realpath(info.dli_fname, library) == NULL) snprintf(library, sizeof library, "%s", info.dli_fname);
    char* slash = strrchr(library, '/');
    if (slash == NULL) return 0;
    *slash = '\0';
    snprintf(folder, size, "%s/%s", library, MANAGED_FOLDER);
    return 1;
}

static void load_runtime(void)
{
    char folder[PATH_MAX], config[PATH_MAX + 64], assembly[PATH_MAX + 64];
    if (!managed_folder(folder, sizeof folder)) {
        set_runtime_error("cannot locate liblearnedsolvers itself to find %s/ beside it; set LEARNEDSOLVERS_MANAGED_DIR", MANAGED_FOLDER);
        return;
    }
    snprintf(config, sizeof config, "%s/%s.runtimeconfig.json", folder, MANAGED_ASSEMBLY);
    snprintf(assembly, sizeof assembly, "%s/%s.dll", folder, MANAGED_ASSEMBLY);

    /* DOTNET_ROOT and the usual install places are nethost's own search; the root this library was built against is
     * the fallback for a machine where dotnet is installed but not registered (no DOTNET_ROOT, not on the default path). */
    const char* env_root = getenv("DOTNET_ROOT");
    const char* built_root = LEARNEDSOLVERS_DOTNET_ROOT;
    struct get_hostfxr_parameters parameters = { sizeof parameters, assembly, NULL };
    if ((env_root == NULL || env_root[0] == '\0') && is_directory(built_root)) parameters.dotnet_root = built_root;
    char_t hostfxr_path[PATH_MAX];
    size_t hostfxr_size = sizeof hostfxr_path / sizeof(char_t);
    int rc = get_hostfxr_path(hostfxr_path, &hostfxr_size, &parameters);
    if (rc != 0) {
        set_runtime_error("no .NET runtime found (get_hostfxr_path: 0x%x); install the .NET 10 runtime or set DOTNET_ROOT", (unsigned)rc);
        return;
    }
    void* hostfxr = dlopen(hostfxr_path, RTLD_NOW | RTLD_LOCAL);
    if (hostfxr == NULL) {
        set_runtime_error("cannot load %s: %s", hostfxr_path, dlerror());
        return;
    }
    hostfxr_initialize_for_runtime_config_fn initialize = (hostfxr_initialize_for_runtime_config_fn)dlsym(hostfxr, "hostfxr_initialize_for_runtime_config");
    hostfxr_get_runtime_delegate_fn get_delegate = (hostfxr_get_runtime_delegate_fn)dlsym(hostfxr, "hostfxr_get_runtime_delegate");
    hostfxr_close_fn close_context = (hostfxr_close_fn)dlsym(hostfxr, "hostfxr_close");
    hostfxr_set_error_writer_fn set_writer = (hostfxr_set_error_writer_fn)dlsym(hostfxr, "hostfxr_set_error_writer");
    if (initialize == NULL || get_delegate == NULL || close_context == NULL) {
        set_runtime_error("%s lacks the hosting functions (a .NET older than 3.0?)", hostfxr_path);
        return;
    }

    hostfxr_message[0] = '\0';
    hostfxr_error_writer_fn previous = set_writer != NULL ? set_writer(hostfxr_writer) : NULL;
    hostfxr_handle context = NULL;
    /* 1 and 2 mean a runtime was already running in this process (another component started it): it is reused. */
    rc = initialize(config, NULL, &context);
    load_assembly_and_get_function_pointer_fn load = NULL;
    if (rc >= 0 && context != NULL) {
        int delegate_rc = get_delegate(context, hdt_load_assembly_and_get_function_pointer, (void**)&load);
        if (delegate_rc != 0) load = NULL;
        close_context(context);
    }
    if (set_writer != NULL) set_writer(previous);
    if (load == NULL) {
        set_runtime_error("cannot start the .NET runtime from %s (hostfxr: 0x%x)%s%s", config, (unsigned)rc,
                          hostfxr_message[0] ? ": " : "", hostfxr_message);
        return;
    }

    get_entry_points_fn get_entry_points = NULL;
    rc = load(assembly, MANAGED_ASSEMBLY ".Exports, " MANAGED_ASSEMBLY, "GetEntryPoints", UNMANAGEDCALLERSONLY_METHOD, NULL,
              (void**)&get_entry_points);
    if (rc != 0 || get_entry_points == NULL) {
        set_runtime_error("cannot load %s (0x%x): build src/LearnedSolvers.Native or set LEARNEDSOLVERS_MANAGED_DIR", assembly, (unsigned)rc);
        return;
    }
    rc = get_entry_points(LS_ABI_VERSION, entry, EP_COUNT);
    if (rc != 0) {
        set_runtime_error("%s has ABI version %d; this library was built for %d: rebuild native/ and the managed assembly together",
                          assembly, (int)rc, LS_ABI_VERSION);
        return;
    }
    runtime_ready = 1;
}

static int runtime(void)
{
    pthread_once(&runtime_once, load_runtime);
    if (runtime_ready) return 1;
    snprintf(thread_error, sizeof thread_error, "%s", runtime_error);
    return 0;
}

/* A failed managed call leaves its message in the managed thread-static; copy it into this thread's buffer. */
static ls_status finish(int32_t status)
{
    if (status != LS_OK) ((int32_t (*)(char*, int32_t))entry[EP_LAST_ERROR])(thread_error, (int32_t)sizeof thread_error);
    return (ls_status)status;
}

#define CALL(index, type, ...) \
    do { \
        if (!runtime()) return LS_ERROR_RUNTIME; \
        return finish(((type)entry[index])(__VA_ARGS__)); \
    } while (0)

LS_API const char* ls_last_error(void) { return thread_error; }

LS_API const char* ls_status_text(int32_t status)
{
    static const char* const names[] = {
        "ok", "invalid_argument", "invalid_handle", "invalid_matrix", "unknown_name", "invalid_option",
        "device_unavailable", "unsupported", "setup_failed", "busy", "out_of_memory", "runtime", "internal",
    };
    return status >= 0 && status < (int32_t)(sizeof names / sizeof names[0]) ? names[status] : "unknown";
}

LS_API const char* ls_stop_reason_text(int32_t reason)
{
    static const char* const names[] = {
        "converged_relative", "converged_absolute", "max_iterations", "breakdown", "diverged", "nan_or_infinity",
        "indefinite_matrix", "indefinite_preconditioner", "stagnation", "singular",
    };
    return reason >= 0 && reason < (int32_t)(sizeof names / sizeof names[0]) ? names[reason] : "unknown";
}

LS_API ls_status ls_names(int32_t kind, char* buffer, int32_t capacity)
{
    CALL(EP_NAMES, int32_t (*)(int32_t, char*, int32_t), kind, buffer, capacity);
}

LS_API ls_status ls_context_create(const char* device, ls_context** context)
{
    CALL(EP_CONTEXT_CREATE, int32_t (*)(const char*, ls_context**), device, context);
}

LS_API ls_status ls_context_device(const ls_context* context, char* name, int32_t capacity)
{
    CALL(EP_CONTEXT_DEVICE, int32_t (*)(const ls_context*, char*, int32_t), context, name, capacity);
}

LS_API ls_status ls_context_free(ls_context* context)
{
    if (context == NULL) return LS_OK;
    CALL(EP_CONTEXT_FREE, int32_t (*)(ls_context*), context);
}

LS_API ls_status ls_matrix_create(ls_context* context, int32_t n, int32_t nnz, const int32_t* row_ptr, const int32_t* col_idx,
                                  const double* values, ls_matrix** matrix)
{
    CALL(EP_MATRIX_CREATE, int32_t (*)(ls_context*, int32_t, int32_t, const int32_t*, const int32_t*, const double*, ls_matrix**),
         context, n, nnz, row_ptr, col_idx, values, matrix);
}

LS_API ls_status ls_matrix_update_values(ls_matrix* matrix, int32_t nnz, const double* values)
{
    CALL(EP_MATRIX_UPDATE_VALUES, int32_t (*)(ls_matrix*, int32_t, const double*), matrix, nnz, values);
}

LS_API ls_status ls_matrix_free(ls_matrix* matrix)
{
    if (matrix == NULL) return LS_OK;
    CALL(EP_MATRIX_FREE, int32_t (*)(ls_matrix*), matrix);
}

LS_API ls_status ls_solver_create(ls_matrix* matrix, const char* method, const char* preconditioner, const char* options,
                                  ls_solver** solver)
{
    CALL(EP_SOLVER_CREATE, int32_t (*)(ls_matrix*, const char*, const char*, const char*, ls_solver**),
         matrix, method, preconditioner, options, solver);
}

LS_API ls_status ls_solve(ls_solver* solver, const double* b, double* x, ls_result* result)
{
    CALL(EP_SOLVE, int32_t (*)(ls_solver*, const double*, double*, ls_result*), solver, b, x, result);
}

LS_API ls_status ls_solve_many(ls_solver* solver, int32_t k, const double* b, double* x, ls_result* results)
{
    CALL(EP_SOLVE_MANY, int32_t (*)(ls_solver*, int32_t, const double*, double*, ls_result*), solver, k, b, x, results);
}

LS_API ls_status ls_solver_free(ls_solver* solver)
{
    if (solver == NULL) return LS_OK;
    CALL(EP_SOLVER_FREE, int32_t (*)(ls_solver*), solver);
}
