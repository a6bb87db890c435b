{#- The listed columns identify a row: the grain of a model, stated and tested. -#}
{% test unique_combination(model, columns, column_name=none) %}
select {{ columns | join(', ') }}, count(*) as rows_with_this_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
