{#- Rows where the expression is false fail the test (dbt_utils' test of the same name; the
    dbt package hub is out of reach here, so it is written once in the project). -#}
{% test expression_is_true(model, expression, column_name=none, where='true') %}
select * from {{ model }} where ({{ where }}) and not coalesce(({{ expression }}), false)
{% endtest %}
