{#- The check row: the columns of one reconciliation check, in their order and with their
    types, written here once. The within-file and within-country checks
    (int_reconciliation_within_files, int_reconciliation_within_countries) and the
    across-countries checks of marts.reconciliation all select their rows through
    check_row(); marts.reconciliation adds the columns of check_source_columns().

    check_row(name=expression, ...): each keyword names a column and gives the SQL that
    fills it; a column left out is NULL, and a name that is not a column is an error.
      with_source=true       the row of marts.reconciliation (the source columns too)
      from_check_rows=true   a check-row column left out is taken from the column of that
                             name (the rows of the intermediate models, passed on) -#}

{% macro check_row_columns() -%}
    {{ return([
        ('operation_id', 'varchar'),
        ('check_name', 'varchar'),
        ('check_level', 'varchar'),
        ('metric_code', 'varchar'),
        ('charge_code', 'varchar'),
        ('country_code', 'varchar'),
        ('derived_value', 'double'),
        ('published_value', 'double'),
        ('qualifier', 'varchar'),
        ('lower_bound', 'double'),
        ('upper_bound', 'double'),
        ('lower_inclusive', 'boolean'),
        ('upper_inclusive', 'boolean'),
        ('status', 'varchar'),
        ('detail', 'varchar'),
        ('source_file', 'varchar'),
        ('source_sheet', 'varchar'),
        ('source_cell', 'varchar'),
    ]) }}
{%- endmacro %}

{#- what marts.reconciliation adds to each check: the published source it is about, and
    whether its failure blocks the publish -#}
{% macro check_source_columns() -%}
    {{ return([
        ('source', 'varchar'),
        ('is_primary', 'boolean'),
        ('blocking', 'boolean'),
        ('conflict', 'boolean'),
    ]) }}
{%- endmacro %}

{% macro check_row(with_source=false, from_check_rows=false) -%}
    {%- set base = check_row_columns() -%}
    {%- set columns = base + (check_source_columns() if with_source else []) -%}
    {%- set names = columns | map(attribute=0) | list -%}
    {%- for name in kwargs if name not in names -%}
        {{ exceptions.raise_compiler_error("check_row(): '" ~ name ~ "' is not a column of a check row") }}
    {%- endfor -%}
    {%- for name, data_type in columns -%}
        {%- set passed_on = from_check_rows and loop.index <= base | length -%}
        {%- set expression = kwargs.get(name, name if passed_on else 'null') | trim %}
    cast({{ expression }} as {{ data_type }}) as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
