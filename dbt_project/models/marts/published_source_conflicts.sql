-- One row per source conflict: a figure that one published source gives and the data
-- contradicts, while another source's figure for it the data supports. Each row pairs the
-- contradicted source with one supporting source, with both published values and the data's.
-- A conflict is a property of the sources, never a failure of the data; it blocks nothing.
with figures as (
    select * from {{ ref('fct_published_figures') }}
    where {{ in_scope() }} and status in ('pass', 'fail')
)

select
    contradicted.operation_id,
    contradicted.check_name,
    contradicted.metric_code,
    contradicted.charge_code,
    contradicted.source,
    contradicted.is_primary,
    contradicted.value as published_value,
    contradicted.qualifier,
    supported.source as supported_source,
    supported.is_primary as supported_is_primary,
    supported.value as supported_value,
    supported.qualifier as supported_qualifier,
    contradicted.derived_value,
    contradicted.source || ' gives ' || replace(contradicted.qualifier, '_', ' ') || ' '
        || {{ as_figure('contradicted.value') }} || ', ' || supported.source || ' gives '
        || replace(supported.qualifier, '_', ' ') || ' ' || {{ as_figure('supported.value') }}
        || ': the data (' || {{ as_figure('contradicted.derived_value') }} || ') supports '
        || supported.source as detail
from figures as contradicted
inner join figures as supported
    on supported.operation_id = contradicted.operation_id
    and supported.metric_code = contradicted.metric_code
    and supported.charge_code is not distinct from contradicted.charge_code
    and supported.source <> contradicted.source
where contradicted.status = 'fail' and supported.status = 'pass'
