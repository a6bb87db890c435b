"""`dbt.<macro>` for sqlfluff: the SQL that dbt-duckdb renders for the few of dbt's own
cross-database macros that the models use (dbt.any_value, dbt.datediff)."""


def any_value(expression):
    return f"arbitrary({expression})"


def datediff(first_date, second_date, datepart):
    return f"(date_diff('{datepart}', {first_date}::timestamp, {second_date}::timestamp))"
