-- Every disagreement between the published sources of the operation: a figure two sources
-- give differently, what each says, the data's own figure, and which source the data
-- supports ('both' where the two wordings both hold, 'neither' where none does).
-- marts.published_source_conflicts holds the conflicts alone (one supported, one not), and
-- marts.published_source_consistency each source against itself.
with figures as (
    select * from marts.fct_published_figures
    where operation_id = '2020-09-se-europe-jad' and status <> 'no submissions'
)

select
    one.check_name as figure,
    one.source,
    replace(one.qualifier, '_', ' ') || ' ' || regexp_replace(cast(one.value as varchar), '\.0$', '') as says,
    other.source as other_source,
    replace(other.qualifier, '_', ' ') || ' ' || regexp_replace(cast(other.value as varchar), '\.0$', '') as other_says,
    one.derived_value as the_data,
    case
        when one.status = 'pass' and other.status = 'pass' then 'both'
        when one.status = 'pass' then one.source
        when other.status = 'pass' then other.source
        else 'neither'
    end as the_data_supports
from figures as one
inner join figures as other
    on other.operation_id = one.operation_id
    and other.metric_code = one.metric_code
    and other.charge_code is not distinct from one.charge_code
    and other.source_number > one.source_number
where one.value <> other.value or one.qualifier <> other.qualifier
order by figure, one.source_number, other.source_number;
