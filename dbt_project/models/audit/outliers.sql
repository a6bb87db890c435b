-- Plausibility across countries: each country's figure for the operation, per metric,
-- against the median of the other countries that reported it (at least three, above zero).
-- A figure more than the metric's outlier_ratio (metrics.csv) times that median fails
-- and holds back its operation: every cell may lie under max_per_cell while the country's
-- sum is absurd (4 x 9,999,999 persons checked beside 32,254). A steward corrects the file,
-- or, when the figure is right, raises the metric's outlier_ratio.
with totals as (
    select operation_id, country_code, metric_code, value, unit
    from {{ ref('fct_country_totals') }}
    where {{ in_scope() }}
),

metrics as (
    select metric_code, outlier_ratio
    from {{ ref('metrics') }}
    where outlier_ratio is not null
),

compared as (
    select
        totals.operation_id,
        totals.country_code,
        totals.metric_code,
        totals.value,
        totals.unit,
        median(others.value) as others_median,
        count(*) as others_reporting
    from totals
    inner join totals as others
        on others.operation_id = totals.operation_id
        and others.metric_code = totals.metric_code
        and others.country_code <> totals.country_code
        and others.value > 0
    group by totals.operation_id, totals.country_code, totals.metric_code, totals.value, totals.unit
),

cells as (
    select
        operation_id,
        country_code,
        metric_code,
        count(*) as figures,
        string_agg(distinct source_file || ', sheet ''' || source_sheet || '''', '; ') as written_in,
        min(source_file || ', sheet ''' || source_sheet || ''' cell ' || source_cell) as first_cell
    from {{ ref('fct_country_results') }}
    where {{ in_scope() }}
    group by operation_id, country_code, metric_code
)

select
    compared.operation_id,
    compared.country_code,
    compared.metric_code,
    compared.value,
    compared.others_median,
    compared.others_reporting,
    metrics.outlier_ratio,
    compared.value / compared.others_median as ratio,
    case
        when compared.value > metrics.outlier_ratio * compared.others_median then 'fail'
        else 'pass'
    end as status,
    case
        when compared.value > metrics.outlier_ratio * compared.others_median
            then compared.country_code || ' reports ' || {{ as_figure('compared.value') }} || ' '
                || compared.metric_code || ', ' || {{ as_figure('round(compared.value / compared.others_median)') }}
                || ' times the median of the ' || compared.others_reporting
                || ' other countries that report it (' || {{ as_figure('compared.others_median') }}
                || '; outlier_ratio ' || {{ as_figure('metrics.outlier_ratio') }} || ' in metrics.csv), from '
                || cells.figures || ' figure(s) in ' || cells.written_in || ' (first: ' || cells.first_cell || ')'
                || ': ask the sender to correct the file; if the figure is right, raise the metric''s '
                || 'outlier_ratio in metrics.csv'
    end as detail
from compared
inner join metrics using (metric_code)
inner join cells using (operation_id, country_code, metric_code)
where compared.others_reporting >= 3
