! Fortran interfaces to learnedsolvers.h (ISO_C_BINDING). Strings go in NUL-terminated: pass trim(s)//c_null_char;
! "" stands for the NULL the C header allows for the preconditioner (none) and the options (defaults).
! Indices are 0-based as in C: subtract 1 from Fortran row pointers and column indices before ls_matrix_create.
module learnedsolvers
  use, intrinsic :: iso_c_binding
  implicit none

  integer(c_int32_t), parameter :: LS_OK = 0, LS_ERROR_INVALID_ARGUMENT = 1, LS_ERROR_INVALID_HANDLE = 2, &
    LS_ERROR_INVALID_MATRIX = 3, LS_ERROR_UNKNOWN_NAME = 4, LS_ERROR_INVALID_OPTION = 5, &
    LS_ERROR_DEVICE_UNAVAILABLE = 6, LS_ERROR_UNSUPPORTED = 7, LS_ERROR_SETUP_FAILED = 8, LS_ERROR_BUSY = 9, &
    LS_ERROR_OUT_OF_MEMORY = 10, LS_ERROR_RUNTIME = 11, LS_ERROR_INTERNAL = 12

  ! ls_result, field for field.
  type, bind(C) :: ls_result
    integer(c_int32_t) :: converged
    integer(c_int32_t) :: reason
    integer(c_int32_t) :: iterations
    real(c_double) :: relative_residual
    real(c_double) :: seconds
  end type ls_result

  interface
    type(c_ptr) function ls_last_error_c() bind(C, name="ls_last_error")
      import :: c_ptr
    end function

    type(c_ptr) function ls_status_text_c(status) bind(C, name="ls_status_text")
      import :: c_ptr, c_int32_t
      integer(c_int32_t), value :: status
    end function

    type(c_ptr) function ls_stop_reason_text_c(reason) bind(C, name="ls_stop_reason_text")
      import :: c_ptr, c_int32_t
      integer(c_int32_t), value :: reason
    end function

    integer(c_int32_t) function ls_context_create(device, context) bind(C, name="ls_context_create")
      import :: c_char, c_ptr, c_int32_t
      character(kind=c_char), dimension(*), intent(in) :: device
      type(c_ptr), intent(out) :: context
    end function

    integer(c_int32_t) function ls_context_free(context) bind(C, name="ls_context_free")
      import :: c_ptr, c_int32_t
      type(c_ptr), value :: context
    end function

    integer(c_int32_t) function ls_matrix_create(context, n, nnz, row_ptr, col_idx, values, matrix) &
        bind(C, name="ls_matrix_create")
      import :: c_ptr, c_int32_t, c_double
      type(c_ptr), value :: context
      integer(c_int32_t), value :: n, nnz
      integer(c_int32_t), dimension(*), intent(in) :: row_ptr, col_idx
      real(c_double), dimension(*), intent(in) :: values
      type(c_ptr), intent(out) :: matrix
    end function

    integer(c_int32_t) function ls_matrix_update_values(matrix, nnz, values) bind(C, name="ls_matrix_update_values")
      import :: c_ptr, c_int32_t, c_double
      type(c_ptr), value :: matrix
      integer(c_int32_t), value :: nnz
      real(c_double), dimension(*), intent(in) :: values
    end function

    integer(c_int32_t) function ls_matrix_free(matrix) bind(C, name="ls_matrix_free")
      import :: c_ptr, c_int32_t
      type(c_ptr), value :: matrix
    end function

    integer(c_int32_t) function ls_solver_create(matrix, method, preconditioner, options, solver) &
        bind(C, name="ls_solver_create")
      import :: c_ptr, c_char, c_int32_t
      type(c_ptr), value :: matrix
      character(kind=c_char), dimension(*), intent(in) :: method, preconditioner, options
      type(c_ptr), intent(out) :: solver
    end function

    integer(c_int32_t) function ls_solve(solver, b, x, result) bind(C, name="ls_solve")
      import :: c_ptr, c_int32_t, c_double, ls_result
      type(c_ptr), value :: solver
      real(c_double), dimension(*), intent(in) :: b
      real(c_double), dimension(*), intent(inout) :: x
      type(ls_result), intent(out) :: result
    end function

    ! b and x are n x k Fortran arrays (column-major, as the C side expects); results has k entries.
    integer(c_int32_t) function ls_solve_many(solver, k, b, x, results) bind(C, name="ls_solve_many")
      import :: c_ptr, c_int32_t, c_double, ls_result
      type(c_ptr), value :: solver
      integer(c_int32_t), value :: k
      real(c_double), dimension(*), intent(in) :: b
      real(c_double), dimension(*), intent(inout) :: x
      type(ls_result), dimension(*), intent(out) :: results
    end function

    integer(c_int32_t) function ls_solver_free(solver) bind(C, name="ls_solver_free")
      import :: c_ptr, c_int32_t
      type(c_ptr), value :: solver
    end function

    integer(c_size_t) function c_strlen(s) bind(C, name="strlen")
      import :: c_ptr, c_size_t
      type(c_ptr), value :: s
    end function
  end interface

contains

  !> A C string the library owns, as a Fortran string.
  function from_c(p) result(text)
    type(c_ptr), intent(in) :: p
    character(len=:), allocatable :: text
    character(kind=c_char), dimension(:), pointer :: chars
    integer :: i, length
    length = int(c_strlen(p))
    allocate(character(len=length) :: text)
    call c_f_pointer(p, chars, [length])
    do i = 1, length
      text(i:i) = chars(i)
    end do
  end function

  !> The message of this thread's last failed call.
  function ls_last_error() result(text)
    character(len=:), allocatable :: text
    text = from_c(ls_last_error_c())
  end function

  function ls_status_text(status) result(text)
    integer(c_int32_t), intent(in) :: status
    character(len=:), allocatable :: text
    text = from_c(ls_status_text_c(status))
  end function

  function ls_stop_reason_text(reason) result(text)
    integer(c_int32_t), intent(in) :: reason
    character(len=:), allocatable :: text
    text = from_c(ls_stop_reason_text_c(reason))
  end function
end module learnedsolvers
