-- One row per figure of every published source of an operation, beside the warehouse's own
-- figure: the bounds its qualifier gives (var qualifier_tolerance, default 5%), pass or
-- fail, and what the other sources say of the same figure. A figure that passes for one
-- source and fails for another is a source conflict (`conflict`). Only the primary source
-- gates the publish (marts.reconciliation, column `blocking`); the others are reported.
-- An operation with no file in raw/ yet has its figures here with status 'no submissions'.
{% set t = var('qualifier_tolerance') %}

with published as (
    select * from {{ ref('stg_raw__published_figures') }}
    where {{ in_scope() }}
),

sources as (
    select * from {{ ref('stg_raw__published_sources') }}
    where {{ in_scope() }}
),

metrics as (
    select metric_code, value_kind from {{ ref('metrics') }}
),

submitted as (
    -- operations with at least one file in raw/ now
    select operation_id, count(*) as files_present
    from {{ ref('stg_raw__submissions') }}
    where is_present
    group by operation_id
),

operation_results as (
    select operation_id, metric_code, value from {{ ref('fct_operation_results') }}
),

charge_results as (
    select operation_id, charge_code, sum(arrests) as value
    from {{ ref('fct_arrests_by_charge') }}
    group by operation_id, charge_code
),

reporting as (
    select operation_id, count(distinct country_code) as value
    from {{ ref('fct_country_results') }}
    group by operation_id
),

derived as (
    select
        published.*,
        sources.publisher,
        sources.published_date,
        sources.source_url,
        sources.is_primary,
        coalesce(metrics.value_kind, 'count') as value_kind,  -- countries_participating: a count
        submitted.operation_id is not null as has_submissions,
        case
            when submitted.operation_id is null then null
            when published.metric_code = 'countries_participating' then coalesce(reporting.value, 0)
            when published.charge_code is not null then coalesce(charge_results.value, 0)
            else operation_results.value
        end as derived_value,
        -- a measure is exact at the precision it is published with: 47 kg -> [46.5, 47.5)
        0.5 * power(10, -(
            case
                when published.published_value = round(published.published_value) then 0
                else length(split_part(cast(published.published_value as varchar), '.', 2))
            end
        )) as half_unit
    from published
    inner join sources using (operation_id, source_number)
    left join metrics using (metric_code)
    left join submitted using (operation_id)
    left join operation_results using (operation_id, metric_code)
    left join charge_results using (operation_id, charge_code)
    left join reporting using (operation_id)
),

bounded as (
    select
        *,
        case qualifier
            when 'exact' then published_value - (case when value_kind = 'mass' then half_unit else 0 end)
            when 'nearly' then published_value * (1 - {{ t }})
            when 'more_than' then published_value
            when 'about' then published_value * (1 - {{ t }})
            when 'at_least' then published_value
            when 'less_than' then published_value * (1 - {{ t }})
        end as lower_bound,
        case qualifier
            when 'exact' then published_value + (case when value_kind = 'mass' then half_unit else 0 end)
            when 'nearly' then published_value
            when 'more_than' then published_value * (1 + {{ t }})
            when 'about' then published_value * (1 + {{ t }})
            when 'at_least' then published_value * (1 + {{ t }})
            when 'less_than' then published_value
        end as upper_bound,
        qualifier <> 'more_than' as lower_inclusive,
        qualifier <> 'less_than' and (qualifier <> 'exact' or value_kind <> 'mass') as upper_inclusive
    from derived
),

checked as (
    select
        *,
        case
            when not has_submissions then 'no submissions'
            when derived_value is null then 'fail'
            when (derived_value > lower_bound or (lower_inclusive and derived_value = lower_bound))
                and (derived_value < upper_bound or (upper_inclusive and derived_value = upper_bound))
                then 'pass'
            else 'fail'
        end as status
    from bounded
),

compared as (
    -- what every other source gives for the same figure
    select
        figure.operation_id,
        figure.source,
        figure.metric_code,
        figure.charge_code,
        string_agg(
            other.source || ': ' || replace(other.qualifier, '_', ' ') || ' '
                || {{ as_figure('other.published_value') }} || ' (' || other.status || ')',
            '; ' order by other.source_number
        ) as other_sources,
        bool_or(other.status = 'pass') as another_passes,
        bool_or(other.status = 'fail') as another_fails
    from checked as figure
    inner join checked as other
        on other.operation_id = figure.operation_id
        and other.metric_code = figure.metric_code
        and other.charge_code is not distinct from figure.charge_code
        and other.source <> figure.source
    group by figure.operation_id, figure.source, figure.metric_code, figure.charge_code
)

select
    checked.operation_id,
    checked.source,
    checked.publisher,
    checked.published_date,
    checked.source_url,
    checked.is_primary,
    checked.source_number,
    checked.figure_number,
    'published ' || checked.metric_code || coalesce(' [' || checked.charge_code || ']', '') as check_name,
    checked.metric_code,
    checked.charge_code,
    checked.published_value as value,
    checked.qualifier,
    checked.scope,
    checked.lower_bound,
    checked.upper_bound,
    checked.lower_inclusive,
    checked.upper_inclusive,
    checked.derived_value,
    checked.status,
    coalesce(
        (checked.status = 'pass' and compared.another_fails)
        or (checked.status = 'fail' and compared.another_passes),
        false
    ) as conflict,
    compared.other_sources,
    case checked.status
        when 'no submissions' then 'no submissions yet: nothing to compare this figure with'
        when 'pass' then 'the data (' || {{ as_figure('checked.derived_value') }} || ') supports '
            || replace(checked.qualifier, '_', ' ') || ' ' || {{ as_figure('checked.published_value') }}
        else
            case
                when checked.derived_value is null then 'no country reported this figure'
                else 'the data (' || {{ as_figure('checked.derived_value') }} || ') contradicts '
                    || replace(checked.qualifier, '_', ' ') || ' ' || {{ as_figure('checked.published_value') }}
                    || ' (allowed ' || {{ as_figure('checked.lower_bound') }} || ' to '
                    || {{ as_figure('checked.upper_bound') }} || ')'
            end
    end as detail
from checked
left join compared
    on compared.operation_id = checked.operation_id
    and compared.source = checked.source
    and compared.metric_code = checked.metric_code
    and compared.charge_code is not distinct from checked.charge_code
