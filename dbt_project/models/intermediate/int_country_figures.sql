-- The figures of the latest file of each country and metric: mapped observations of
-- participants' files, no TOTAL cells. One row per source cell, with the role it plays:
--   is_finest_grain   days where the file gives days, else the whole operation; the
--                     coarser figures (a summary beside its detail) are kept for the
--                     within-country reconciliation, never added in
--   is_breakdown      arrests by charge
--   counts_in_figure  adds into the country's figure (a breakdown only where no figure is given)
with mapped as (
    select *
    from {{ ref('int_observations_mapped') }}
    where mapping_status = 'mapped' and not is_total and value_canonical is not null
        and {{ in_scope() }}
),

files as (
    select operation_id, file_id, country_code, file_name, precedence_rank
    from {{ ref('int_submissions_ranked') }}
    where is_participant and {{ in_scope() }}
),

joined as (
    select
        mapped.*,
        files.country_code,
        files.file_name,
        files.precedence_rank,
        mapped.charge_code is not null as is_breakdown
    from mapped
    inner join files using (operation_id, file_id)
),

latest_file as (
    select operation_id, country_code, metric_code, {{ value_at_min('file_id', 'precedence_rank') }} as file_id
    from joined
    group by operation_id, country_code, metric_code
),

current_rows as (
    select joined.*
    from joined
    inner join latest_file using (operation_id, country_code, metric_code, file_id)
),

grain as (
    select
        operation_id,
        country_code,
        metric_code,
        is_breakdown,
        bool_or(period_date is not null) as has_days
    from current_rows
    group by operation_id, country_code, metric_code, is_breakdown
),

has_direct as (
    select operation_id, country_code, metric_code, bool_or(not is_breakdown) as has_direct_figure
    from current_rows
    group by operation_id, country_code, metric_code
)

select
    current_rows.operation_id,
    current_rows.country_code,
    current_rows.metric_code,
    current_rows.charge_code,
    current_rows.period_date,
    current_rows.value_canonical as value,
    current_rows.half_unit,
    current_rows.file_id,
    current_rows.file_name,
    current_rows.sheet_name,
    current_rows.cell_ref,
    current_rows.row_number,
    current_rows.column_number,
    current_rows.observation_id,
    current_rows.counted_as,
    current_rows.is_part,
    current_rows.template_hints,
    current_rows.is_breakdown,
    (current_rows.period_date is not null) = grain.has_days as is_finest_grain,
    (current_rows.period_date is not null) = grain.has_days
    and not current_rows.is_part
    and (not current_rows.is_breakdown or not has_direct.has_direct_figure) as counts_in_figure
from current_rows
inner join grain using (operation_id, country_code, metric_code, is_breakdown)
inner join has_direct using (operation_id, country_code, metric_code)
