! LearnedSolvers from Fortran: a 2-D Poisson system (PCG with Jacobi, two right-hand sides at once), a Matrix Market
! matrix (CG + IC(0)), and the errors a bad matrix and an unknown method give. Residuals are recomputed here.
! Usage: example_fortran [matrix.mtx]
program example
  use, intrinsic :: iso_c_binding
  use learnedsolvers
  implicit none

  type(c_ptr) :: context
  integer(c_int32_t), allocatable :: row_ptr(:), col_idx(:)
  real(c_double), allocatable :: values(:)
  integer(c_int32_t) :: n
  integer :: failures = 0
  character(len=1024) :: path

  call check(ls_context_create("cpu"//c_null_char, context), "ls_context_create")

  call poisson2d(40, n, row_ptr, col_idx, values)
  call solve_and_check(n, row_ptr, col_idx, values, "pcg", "", "poisson 40x40, pcg + jacobi", 2)

  if (command_argument_count() >= 1) then
    call get_command_argument(1, path)
    call read_matrix_market(trim(path), n, row_ptr, col_idx, values)
    call solve_and_check(n, row_ptr, col_idx, values, "cg", "ic0", &
      path(index(path, "/", back=.true.) + 1:len_trim(path))//", cg + ic0", 1)
  end if

  call errors()
  call check(ls_context_free(context), "ls_context_free")
  if (failures > 0) then
    print '(i0, a)', failures, " check(s) failed"
    error stop 1
  end if
  print '(a)', "all checks passed"

contains

  subroutine check(status, what)
    integer(c_int32_t), intent(in) :: status
    character(len=*), intent(in) :: what
    if (status /= LS_OK) then
      print '(5a)', what, " failed: ", ls_status_text(status), ": ", ls_last_error()
      error stop 1
    end if
  end subroutine

  !> -Δu on an m x m grid (5-point stencil), CSR with 0-based indices as the C ABI takes them.
  subroutine poisson2d(m, n, row_ptr, col_idx, values)
    integer, intent(in) :: m
    integer(c_int32_t), intent(out) :: n
    integer(c_int32_t), allocatable, intent(out) :: row_ptr(:), col_idx(:)
    real(c_double), allocatable, intent(out) :: values(:)
    integer :: i, j, row, nnz, t
    integer :: di(5), dj(5)
    real(c_double) :: dv(5)
    ! The five neighbours in column order: up, left, centre, right, down.
    di = [-1, 0, 0, 0, 1]
    dj = [0, -1, 0, 1, 0]
    dv = [-1.0_c_double, -1.0_c_double, 4.0_c_double, -1.0_c_double, -1.0_c_double]
    n = m * m
    allocate(row_ptr(n + 1), col_idx(5 * n), values(5 * n))
    nnz = 0
    row_ptr(1) = 0
    do i = 0, m - 1
      do j = 0, m - 1
        row = i * m + j
        do t = 1, 5
          if (i + di(t) < 0 .or. i + di(t) >= m .or. j + dj(t) < 0 .or. j + dj(t) >= m) cycle
          nnz = nnz + 1
          col_idx(nnz) = row + di(t) * m + dj(t)
          values(nnz) = dv(t)
        end do
        row_ptr(row + 2) = nnz
      end do
    end do
    col_idx = col_idx(1:nnz)
    values = values(1:nnz)
  end subroutine

  !> A real coordinate Matrix Market file (general or symmetric) as 0-based CSR, columns sorted within each row.
  subroutine read_matrix_market(file, n, row_ptr, col_idx, values)
    character(len=*), intent(in) :: file
    integer(c_int32_t), intent(out) :: n
    integer(c_int32_t), allocatable, intent(out) :: row_ptr(:), col_idx(:)
    real(c_double), allocatable, intent(out) :: values(:)
    character(len=1024) :: line
    integer :: unit, rows, cols, count, k, i, j, stored, r, p, q, c
    integer, allocatable :: ei(:), ej(:), next(:)
    real(c_double), allocatable :: ev(:)
    real(c_double) :: v
    logical :: symmetric
    open(newunit=unit, file=file, status="old", action="read")
    read(unit, '(a)') line
    symmetric = index(line, "symmetric") > 0
    do
      read(unit, '(a)') line
      if (line(1:1) /= "%") exit
    end do
    read(line, *) rows, cols, count
    allocate(ei(2 * count), ej(2 * count), ev(2 * count))
    stored = 0
    do k = 1, count
      read(unit, *) i, j, v
      stored = stored + 1
      ei(stored) = i; ej(stored) = j; ev(stored) = v
      if (symmetric .and. i /= j) then
        stored = stored + 1
        ei(stored) = j; ej(stored) = i; ev(stored) = v
      end if
    end do
    close(unit)

    n = rows
    allocate(row_ptr(n + 1), col_idx(stored), values(stored), next(n))
    row_ptr = 0
    do k = 1, stored
      row_ptr(ei(k) + 1) = row_ptr(ei(k) + 1) + 1
    end do
    do r = 1, n
      row_ptr(r + 1) = row_ptr(r + 1) + row_ptr(r)
    end do
    next = row_ptr(1:n)
    do k = 1, stored
      next(ei(k)) = next(ei(k)) + 1
      col_idx(next(ei(k))) = ej(k) - 1
      values(next(ei(k))) = ev(k)
    end do
    ! Insertion sort within each row: rows are short.
    do r = 1, n
      do p = row_ptr(r) + 2, row_ptr(r + 1)
        c = col_idx(p); v = values(p)
        q = p - 1
        do while (q > row_ptr(r))
          if (col_idx(q) <= c) exit
          col_idx(q + 1) = col_idx(q); values(q + 1) = values(q)
          q = q - 1
        end do
        col_idx(q + 1) = c; values(q + 1) = v
      end do
    end do
  end subroutine

  !> y = A x with the 0-based CSR arrays.
  subroutine multiply(n, row_ptr, col_idx, values, x, y)
    integer(c_int32_t), intent(in) :: n, row_ptr(:), col_idx(:)
    real(c_double), intent(in) :: values(:), x(:)
    real(c_double), intent(out) :: y(:)
    integer :: r, k
    do r = 1, n
      y(r) = 0
      do k = row_ptr(r) + 1, row_ptr(r + 1)
        y(r) = y(r) + values(k) * x(col_idx(k) + 1)
      end do
    end do
  end subroutine

  !> Solves for k right-hand sides b_j = A x_j with known x_j, from zero, and checks each true residual.
  subroutine solve_and_check(n, row_ptr, col_idx, values, method, preconditioner, what, k)
    integer(c_int32_t), intent(in) :: n, row_ptr(:), col_idx(:)
    real(c_double), intent(in) :: values(:)
    character(len=*), intent(in) :: method, preconditioner, what
    integer, intent(in) :: k
    type(c_ptr) :: matrix, solver
    real(c_double), allocatable :: exact(:, :), b(:, :), x(:, :), ax(:)
    type(ls_result), allocatable :: results(:)
    real(c_double) :: residual
    integer :: i, j
    allocate(exact(n, k), b(n, k), x(n, k), ax(n), results(k))
    do j = 1, k
      do i = 1, n
        exact(i, j) = 1.0_c_double + mod(i * j, 5)
      end do
      call multiply(n, row_ptr, col_idx, values, exact(:, j), b(:, j))
    end do
    x = 0

    call check(ls_matrix_create(context, n, size(col_idx, kind=c_int32_t), row_ptr, col_idx, values, matrix), "ls_matrix_create")
    call check(ls_solver_create(matrix, method//c_null_char, preconditioner//c_null_char, &
      "rtol=1e-8; maxit=20000"//c_null_char, solver), "ls_solver_create")
    if (k == 1) then
      call check(ls_solve(solver, b, x, results(1)), "ls_solve")
    else
      call check(ls_solve_many(solver, int(k, c_int32_t), b, x, results), "ls_solve_many")
    end if
    do j = 1, k
      call multiply(n, row_ptr, col_idx, values, x(:, j), ax)
      residual = norm2(b(:, j) - ax) / norm2(b(:, j))
      print '(a, a, i0, a, a, a, i0, a, es10.3)', what, ", column ", j, ": ", ls_stop_reason_text(results(j)%reason), &
        " after ", results(j)%iterations, " iterations; true relative residual ", residual
      if (results(j)%converged /= 1 .or. .not. residual <= 1e-8_c_double) then
        print '(2a)', "FAILED: did not reach 1e-8: ", what
        failures = failures + 1
      end if
    end do
    call check(ls_solver_free(solver), "ls_solver_free")
    call check(ls_matrix_free(matrix), "ls_matrix_free")
  end subroutine

  subroutine expect(status, wanted, what)
    integer(c_int32_t), intent(in) :: status, wanted
    character(len=*), intent(in) :: what
    if (status == wanted) then
      print '(5a)', what, " refused as expected: ", ls_status_text(status), ": ", ls_last_error()
    else
      print '(6a)', "FAILED: ", what, " gave ", ls_status_text(status), ", expected ", ls_status_text(wanted)
      failures = failures + 1
    end if
  end subroutine

  subroutine errors()
    ! A 2 x 2 matrix whose second row names column 2 (0-based): out of range.
    integer(c_int32_t) :: bad_ptr(3) = [0, 2, 4], bad_idx(4) = [0, 1, 0, 2]
    real(c_double) :: bad_values(4) = [2.0_c_double, -1.0_c_double, -1.0_c_double, 2.0_c_double]
    type(c_ptr) :: matrix, solver
    call expect(ls_matrix_create(context, 2, 4, bad_ptr, bad_idx, bad_values, matrix), LS_ERROR_INVALID_MATRIX, &
      "column index out of range")
    bad_idx(4) = 1
    call check(ls_matrix_create(context, 2, 4, bad_ptr, bad_idx, bad_values, matrix), "ls_matrix_create")
    call expect(ls_solver_create(matrix, "krylov"//c_null_char, ""//c_null_char, ""//c_null_char, solver), &
      LS_ERROR_UNKNOWN_NAME, "unknown method")
    call check(ls_matrix_free(matrix), "ls_matrix_free")
  end subroutine
end program example
