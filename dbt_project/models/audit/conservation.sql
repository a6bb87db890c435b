-- Nothing lost: one row per sheet of every accepted file in raw/, proving that
-- each non-empty cell found when the sheet was read ended in exactly one of: an
-- observation, an ignored cell (with its rule), or the quarantine.
with accepted as (
    select operation_id, file_id, file_name
    from {{ ref('stg_raw__submissions') }}
    where is_present and submission_status = 'accepted' and {{ in_scope() }}
),

sheets as (
    select sheets.*, accepted.file_name
    from {{ ref('stg_raw__sheets') }} as sheets
    inner join accepted using (operation_id, file_id)
),

cells as (
    select cells.operation_id, cells.file_id, cells.sheet_name, cells.cell_ref, cells.row_number,
        cells.column_number
    from {{ ref('stg_raw__cells') }} as cells
    inner join accepted using (operation_id, file_id)
),

fates as (
    select operation_id, file_id, sheet_name, cell_ref, 'observation' as fate
    from {{ source('raw', 'observations') }}
    union all
    select operation_id, file_id, sheet_name, cell_ref, 'ignored:' || ignore_rule
    from {{ ref('stg_raw__ignored_cells') }}
    union all
    select operation_id, file_id, sheet_name, cell_ref, 'quarantined:' || reason_code
    from {{ ref('stg_raw__quarantine') }}
    where cell_ref is not null
),

cell_fates as (
    select
        cells.operation_id, cells.file_id, cells.sheet_name, cells.cell_ref, cells.row_number,
        cells.column_number,
        count(fates.fate) as fate_count
    from cells
    left join fates using (operation_id, file_id, sheet_name, cell_ref)
    group by cells.operation_id, cells.file_id, cells.sheet_name, cells.cell_ref, cells.row_number,
        cells.column_number
),

orphans as (
    -- a fate for a cell the inventory does not hold
    select fates.operation_id, fates.file_id, fates.sheet_name, count(*) as orphan_fates,
        string_agg(fates.cell_ref, ',' order by fates.cell_ref) as orphan_cells
    from fates
    inner join accepted using (operation_id, file_id)
    left join cells using (operation_id, file_id, sheet_name, cell_ref)
    where cells.cell_ref is null
    group by fates.operation_id, fates.file_id, fates.sheet_name
),

per_sheet as (
    select
        operation_id,
        file_id,
        sheet_name,
        count(*) as inventoried_cells,
        count(*) filter (where fate_count = 1) as accounted_cells,
        count(*) filter (where fate_count = 0) as missing_cells,
        count(*) filter (where fate_count > 1) as duplicated_cells,
        string_agg(cell_ref, ',' order by row_number, column_number) filter (where fate_count = 0)
            as missing_refs,
        string_agg(cell_ref, ',' order by row_number, column_number) filter (where fate_count > 1)
            as duplicated_refs
    from cell_fates
    group by operation_id, file_id, sheet_name
)

select
    sheets.operation_id,
    sheets.file_id,
    sheets.file_name,
    sheets.sheet_name,
    sheets.non_empty_cells,
    coalesce(per_sheet.inventoried_cells, 0) as inventoried_cells,
    coalesce(per_sheet.accounted_cells, 0) as accounted_cells,
    coalesce(per_sheet.missing_cells, 0) as missing_cells,
    coalesce(per_sheet.duplicated_cells, 0) as duplicated_cells,
    coalesce(orphans.orphan_fates, 0) as orphan_fates,
    case
        when sheets.non_empty_cells = coalesce(per_sheet.accounted_cells, 0)
            and coalesce(per_sheet.inventoried_cells, 0) = sheets.non_empty_cells
            and coalesce(orphans.orphan_fates, 0) = 0
            then 'pass'
        else 'fail'
    end as status,
    case
        when per_sheet.missing_cells > 0
            then sheets.file_name || ', sheet ''' || sheets.sheet_name || ''': no observation, ignore rule or quarantine for cell(s) '
                || per_sheet.missing_refs
        when per_sheet.duplicated_cells > 0
            then sheets.file_name || ', sheet ''' || sheets.sheet_name || ''': more than one fate for cell(s) '
                || per_sheet.duplicated_refs
        when coalesce(per_sheet.inventoried_cells, 0) <> sheets.non_empty_cells
            then sheets.file_name || ', sheet ''' || sheets.sheet_name || ''': ' || sheets.non_empty_cells
                || ' non-empty cells were read but ' || coalesce(per_sheet.inventoried_cells, 0)
                || ' are in the inventory'
        when orphans.orphan_fates > 0
            then sheets.file_name || ', sheet ''' || sheets.sheet_name || ''': fates for cells not in the sheet: '
                || orphans.orphan_cells
    end as detail
from sheets
left join per_sheet using (operation_id, file_id, sheet_name)
left join orphans using (operation_id, file_id, sheet_name)
