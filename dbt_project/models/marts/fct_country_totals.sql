-- One row per operation, country and metric: the country's figure for the whole operation.
-- Days add up, except for headcounts (officers deployed), where the largest day counts.
with results as (
    select * from {{ ref('fct_country_results') }}
    where {{ in_scope() }}
),

metrics as (
    select metric_code, day_aggregation from {{ ref('metrics') }}
)

select
    results.operation_id,
    results.country_code,
    results.metric_code,
    case
        when metrics.day_aggregation = 'max' then max(results.value)
        else sum(results.value)
    end as value,
    {{ dbt.any_value('results.unit') }} as unit,
    count(results.report_date) as days_reported,
    case when count(results.report_date) > 0 then 'daily' else 'operation' end as reported_grain,
    metrics.day_aggregation
from results
inner join metrics using (metric_code)
group by results.operation_id, results.country_code, results.metric_code, metrics.day_aggregation
