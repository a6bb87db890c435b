-- One row per check that the figures add up, at the three levels of DESIGN.md:
--   within_file       a file's own TOTAL cells against their detail (int_reconciliation_within_files)
--   within_country    charges against arrests, hits against searches, a summary against its
--                     detail (int_reconciliation_within_countries)
--   across_countries  each published figure against the bounds its qualifier gives (var
--                     qualifier_tolerance, default 5%), and the reporting countries against
--                     the participants (below)
-- status is 'pass' or 'fail'; a failing row blocks the publish.
{% set t = var('qualifier_tolerance') %}

with published as (
    select * from {{ ref('stg_raw__published_figures') }}
    where {{ in_scope() }}
),

metrics as (
    select metric_code, value_kind from {{ ref('metrics') }}
),

operation_results as (
    select operation_id, metric_code, value from {{ ref('fct_operation_results') }}
),

charge_results as (
    select operation_id, charge_code, sum(arrests) as value
    from {{ ref('fct_arrests_by_charge') }}
    group by operation_id, charge_code
),

derived as (
    select
        published.*,
        metrics.value_kind,
        case
            when published.charge_code is null then operation_results.value
            else coalesce(charge_results.value, 0)
        end as derived_value,
        -- a measure is exact at the precision it is published with: 47 kg -> [46.5, 47.5)
        0.5 * power(10, -(
            case
                when published.published_value = round(published.published_value) then 0
                else length(split_part(cast(published.published_value as varchar), '.', 2))
            end
        )) as half_unit
    from published
    left join metrics using (metric_code)
    left join operation_results using (operation_id, metric_code)
    left join charge_results using (operation_id, charge_code)
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
        not (qualifier = 'less_than' or (qualifier = 'exact' and value_kind = 'mass')) as upper_inclusive
    from derived
),

country_sources as (
    select
        operation_id,
        country_code,
        metric_code,
        string_agg(distinct source_file, ', ') || ' ' || string_agg(distinct source_sheet, ', ')
            || '!' || string_agg(source_cell, ',' order by report_date) as source
    from {{ ref('fct_country_results') }}
    group by operation_id, country_code, metric_code
),

country_values as (
    select operation_id, country_code, metric_code, cast(null as varchar) as charge_code, value
    from {{ ref('fct_country_totals') }}
    union all
    select operation_id, country_code, 'arrests', charge_code, arrests
    from {{ ref('fct_arrests_by_charge') }}
),

contributions as (
    -- the three largest contributions to each figure, with the cells they come from
    select
        operation_id,
        metric_code,
        charge_code,
        string_agg(
            country_code || ' ' || {{ as_figure('value') }} || ' (' || coalesce(source, '') || ')',
            '; ' order by value desc
        ) filter (where contribution_rank <= 3) as largest
    from (
        select
            country_values.*,
            country_sources.source,
            row_number() over (
                partition by country_values.operation_id, country_values.metric_code,
                    country_values.charge_code
                order by country_values.value desc
            ) as contribution_rank
        from country_values
        left join country_sources using (operation_id, country_code, metric_code)
    )
    group by operation_id, metric_code, charge_code
),

published_checks as (
    select
        bounded.operation_id,
        'published ' || bounded.metric_code || coalesce(' [' || bounded.charge_code || ']', '')
            as check_name,
        'across_countries' as check_level,
        bounded.metric_code,
        bounded.charge_code,
        cast(null as varchar) as country_code,
        derived_value,
        published_value,
        qualifier,
        lower_bound,
        upper_bound,
        lower_inclusive,
        upper_inclusive,
        case
            when derived_value is null then 'fail'
            when (derived_value > lower_bound or (lower_inclusive and derived_value = lower_bound))
                and (derived_value < upper_bound or (upper_inclusive and derived_value = upper_bound))
                then 'pass'
            else 'fail'
        end as status,
        case
            when derived_value is null then 'no country reported this figure'
            else 'largest contributions: ' || contributions.largest
        end as detail,
        cast(null as varchar) as source_file,
        cast(null as varchar) as source_sheet,
        cast(null as varchar) as source_cell
    from bounded
    left join contributions
        on contributions.operation_id = bounded.operation_id
        and contributions.metric_code = bounded.metric_code
        and contributions.charge_code is not distinct from bounded.charge_code
),

participants as (
    select operation_id, country_code from {{ ref('stg_raw__participants') }}
    where {{ in_scope() }}
),

reporting as (
    select distinct operation_id, country_code from {{ ref('fct_country_results') }}
),

absent_files as (
    -- the files a silent country sent before, if they left raw/ or no longer count
    select operation_id, country_code, string_agg(file_name || ' (' || file_status || ')', ', ') as files
    from {{ ref('submission_history') }}
    where country_code is not null
    group by operation_id, country_code
),

participation as (
    select
        participants.operation_id,
        count(*) as participant_count,
        count(reporting.country_code) as reporting_count,
        string_agg(
            participants.country_code || coalesce(': ' || absent_files.files, ''),
            '; ' order by participants.country_code
        ) filter (where reporting.country_code is null) as missing
    from participants
    left join reporting using (operation_id, country_code)
    left join absent_files using (operation_id, country_code)
    group by participants.operation_id
),

participation_checks as (
    select
        operation_id,
        'countries reporting = participants' as check_name,
        'across_countries' as check_level,
        cast(null as varchar) as metric_code,
        cast(null as varchar) as charge_code,
        cast(null as varchar) as country_code,
        cast(reporting_count as double) as derived_value,
        cast(participant_count as double) as published_value,
        'exact' as qualifier,
        cast(participant_count as double) as lower_bound,
        cast(participant_count as double) as upper_bound,
        true as lower_inclusive,
        true as upper_inclusive,
        case when reporting_count = participant_count then 'pass' else 'fail' end as status,
        case when missing is not null then 'no figures from: ' || missing end as detail,
        cast(null as varchar) as source_file,
        cast(null as varchar) as source_sheet,
        cast(null as varchar) as source_cell
    from participation
)

select * from {{ ref('int_reconciliation_within_files') }} where {{ in_scope() }}
union all
select * from {{ ref('int_reconciliation_within_countries') }} where {{ in_scope() }}
union all
select * from published_checks
union all
select * from participation_checks
