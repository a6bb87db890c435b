-- Every label a file may use, by its key: the seeds as one lookup for the mapping models.
{% set label_seeds = [
    ('metric_labels', 'metric', 'metric_code'),
    ('charge_labels', 'charge', 'charge_code'),
    ('field_labels', 'field', 'field_role'),
] %}

{% for seed, kind, code in label_seeds %}
select distinct
    {{ label_key('label') }} as label_key,
    '{{ kind }}' as label_kind,
    {{ code }} as code
from {{ ref(seed) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
