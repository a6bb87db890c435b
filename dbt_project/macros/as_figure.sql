{#- A figure as text for a sentence: 14 rather than 14.0, 3.48 rather than 3.4800000001. -#}
{% macro as_figure(expression) -%}
    case
        when ({{ expression }}) is null then 'nothing'
        when ({{ expression }}) = round({{ expression }}) then cast(cast({{ expression }} as bigint) as varchar)
        else cast(round({{ expression }}, 6) as varchar)
    end
{%- endmacro %}
