{#- The join key between a label written in a file and a seed label: lower case, accents
    stripped, spaces collapsed, no space after a full stop ('R. br' is 'R.br'). Must equal orchestration.ingest.labels.label_key (a test
    proves it on every seed label). strip_accents is DuckDB's: another adapter adds its
    `<adapter>__label_key` (docs/scaling.md). -#}
{% macro label_key(expression) -%}
    {{ return(adapter.dispatch('label_key', 'jad_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__label_key(expression) -%}
    replace(trim(regexp_replace(strip_accents(lower({{ expression }})), '\s+', ' ', 'g')), '. ', '.')
{%- endmacro %}
