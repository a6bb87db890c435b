{#- The join key between a label written in a file and a seed label: lower case, accents
    stripped, spaces collapsed. Must equal orchestration.ingest.labels.label_key (a test
    proves it on every seed label). -#}
{% macro label_key(expression) -%}
    trim(regexp_replace(strip_accents(lower({{ expression }})), '\s+', ' ', 'g'))
{%- endmacro %}
