{#- Schemas are named as they are configured (staging, marts, ...), not prefixed with the
    target schema: analysts query marts.fct_country_results. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name else target.schema }}
{%- endmacro %}
