select
    metrics.metric_code,
    metrics.metric_name,
    metrics.unit_code as unit,
    metrics.day_aggregation,
    metrics.value_kind,
    metrics.description
from {{ ref('metrics') }} as metrics
