/**
 * The one table component (ARCHITECTURE §4): sorting, a search box, column visibility,
 * pagination and CSV download of the filtered rows, over @tanstack/react-table.
 * Define columns at module scope so they are stable between renders.
 */
import {
  flexRender,
  getCoreRowModel,
  getFilteredRowModel,
  getPaginationRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type RowData,
  type SortingState,
  type VisibilityState,
} from '@tanstack/react-table';
import { useId, useState, type ReactNode } from 'react';

declare module '@tanstack/react-table' {
  interface ColumnMeta<TData extends RowData, TValue> {
    /** right-align and use tabular figures */
    numeric?: boolean;
    /** the text written to CSV for this cell (defaults to the accessor value) */
    csv?: (row: TData) => string | number | null | undefined;
    /** phantom use of TValue keeps the interface's type parameters as tanstack declares them */
    _value?: TValue;
  }
}

export interface DataTableProps<T> {
  data: T[];
  columns: ColumnDef<T, any>[];
  /** accessible name of the table, also the CSV file's name */
  label: string;
  empty?: ReactNode;
  pageSize?: number;
  initialSorting?: SortingState;
  initialHidden?: string[];
  toolbar?: ReactNode;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text =
    value instanceof Date ? value.toISOString() : Array.isArray(value) ? value.join('; ') : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function DataTable<T>({
  data,
  columns,
  label,
  empty,
  pageSize = 25,
  initialSorting = [],
  initialHidden = [],
  toolbar,
}: DataTableProps<T>) {
  const [sorting, setSorting] = useState<SortingState>(initialSorting);
  const [globalFilter, setGlobalFilter] = useState('');
  const [columnVisibility, setColumnVisibility] = useState<VisibilityState>(
    Object.fromEntries(initialHidden.map((id) => [id, false])),
  );
  const searchId = useId();
  const table = useReactTable({
    data,
    columns,
    state: { sorting, globalFilter, columnVisibility },
    initialState: { pagination: { pageSize } },
    onSortingChange: setSorting,
    onGlobalFilterChange: setGlobalFilter,
    onColumnVisibilityChange: setColumnVisibility,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
    getPaginationRowModel: getPaginationRowModel(),
  });

  function downloadCsv() {
    const visible = table.getVisibleLeafColumns().filter((c) => c.id !== 'actions');
    const header = visible.map((c) =>
      csvCell(typeof c.columnDef.header === 'string' ? c.columnDef.header : c.id),
    );
    const lines = table
      .getPrePaginationRowModel()
      .rows.map((row) =>
        visible
          .map((c) =>
            csvCell(c.columnDef.meta?.csv ? c.columnDef.meta.csv(row.original) : row.getValue(c.id)),
          )
          .join(','),
      );
    const blob = new Blob([[header.join(','), ...lines].join('\n') + '\n'], {
      type: 'text/csv;charset=utf-8',
    });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  }

  const rows = table.getRowModel().rows;
  const filteredCount = table.getPrePaginationRowModel().rows.length;
  const { pageIndex } = table.getState().pagination;
  const pageCount = Math.max(1, table.getPageCount());

  return (
    <div>
      <div className="table-tools">
        <div className="row">
          <label htmlFor={searchId} className="sr-only">
            Search
          </label>
          <input
            id={searchId}
            type="search"
            value={globalFilter}
            onChange={(e) => setGlobalFilter(e.target.value)}
            placeholder={`Search ${label.toLowerCase()}`}
          />
          {toolbar}
        </div>
        <div className="row">
          <details className="menu">
            <summary className="button">Columns</summary>
            <div role="group" aria-label="Visible columns">
              {table
                .getAllLeafColumns()
                .filter((c) => c.getCanHide())
                .map((c) => {
                  const name = typeof c.columnDef.header === 'string' ? c.columnDef.header : c.id;
                  return (
                    <label key={c.id} className="small">
                      <input
                        type="checkbox"
                        aria-label={`Show ${name} column`}
                        checked={c.getIsVisible()}
                        onChange={c.getToggleVisibilityHandler()}
                      />{' '}
                      {name}
                    </label>
                  );
                })}
            </div>
          </details>
          <button type="button" onClick={downloadCsv} disabled={filteredCount === 0}>
            Download CSV
          </button>
        </div>
      </div>
      <div className="table-wrap">
        <table className="data" aria-label={label}>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  const numeric = header.column.columnDef.meta?.numeric;
                  return (
                    <th
                      key={header.id}
                      className={numeric ? 'num' : undefined}
                      aria-sort={
                        sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined
                      }
                    >
                      {header.isPlaceholder ? null : header.column.getCanSort() ? (
                        <button type="button" onClick={header.column.getToggleSortingHandler()}>
                          {flexRender(header.column.columnDef.header, header.getContext())}
                          <span aria-hidden="true">
                            {sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}
                          </span>
                        </button>
                      ) : (
                        flexRender(header.column.columnDef.header, header.getContext())
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={table.getVisibleLeafColumns().length} className="empty">
                  {globalFilter ? `Nothing matches “${globalFilter}”.` : (empty ?? 'Nothing here yet.')}
                </td>
              </tr>
            ) : (
              rows.map((row) => (
                <tr key={row.id}>
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className={cell.column.columnDef.meta?.numeric ? 'num' : undefined}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <div className="pager">
        <span>
          {filteredCount} {filteredCount === 1 ? 'row' : 'rows'}
          {globalFilter ? ` matching` : ''} · page {pageIndex + 1} of {pageCount}
        </span>
        <div className="row">
          <label className="small">
            Rows per page{' '}
            <select
              value={table.getState().pagination.pageSize}
              onChange={(e) => table.setPageSize(Number(e.target.value))}
              style={{ width: 'auto' }}
            >
              {[25, 50, 100].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={() => table.previousPage()} disabled={!table.getCanPreviousPage()}>
            Previous
          </button>
          <button type="button" onClick={() => table.nextPage()} disabled={!table.getCanNextPage()}>
            Next
          </button>
        </div>
      </div>
    </div>
  );
}
