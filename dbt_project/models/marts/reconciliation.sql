-- One row per check that the figures add up, at three levels:
--   within_file       a file's own TOTAL cells against their detail (int_reconciliation_within_files)
--   within_country    charges against arrests, hits against searches, a summary against its
--                     detail (int_reconciliation_within_countries)
--   across_countries  each figure of each published source against the bounds its qualifier
--                     gives (fct_published_figures), and the reporting countries against the
--                     participants (below)
-- status is 'pass' or 'fail'; a failing row blocks the publish where `blocking` is true: every
-- check of the data, and the primary source's figures. A figure of another source that fails
-- is reported (its detail says so, `conflict` when another source passes), never blocking.
-- An operation with no file in raw/ yet has no check here (fct_published_figures shows its
-- figures, 'no submissions'): there is nothing to check, and nothing for it to hold back.

with published as (
    select * from {{ ref('fct_published_figures') }}
    where {{ in_scope() }} and status <> 'no submissions'
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
        published.operation_id,
        published.check_name,
        'across_countries' as check_level,
        published.metric_code,
        published.charge_code,
        cast(null as varchar) as country_code,
        published.derived_value,
        published.value as published_value,
        published.qualifier,
        published.lower_bound,
        published.upper_bound,
        published.lower_inclusive,
        published.upper_inclusive,
        published.status,
        case
            when not published.is_primary and published.status = 'fail'
                then published.source || ' is not the primary source: reported, not blocking; '
            else ''
        end
        || case
            when published.derived_value is null then 'no country reported this figure'
            when published.metric_code = 'countries_participating'
                then {{ as_figure('published.derived_value') }} || ' countries reported figures'
            else 'largest contributions: ' || coalesce(contributions.largest, 'none')
        end
        || case
            when published.conflict then '; the sources disagree: ' || published.other_sources
            else ''
        end as detail,
        cast(null as varchar) as source_file,
        cast(null as varchar) as source_sheet,
        cast(null as varchar) as source_cell,
        published.source,
        published.is_primary,
        published.is_primary as blocking,
        published.conflict
    from published
    left join contributions
        on contributions.operation_id = published.operation_id
        and contributions.metric_code = published.metric_code
        and contributions.charge_code is not distinct from published.charge_code
),

submitted as (
    -- operations with at least one file in raw/ now: the others have nothing to check yet
    select distinct operation_id from {{ ref('stg_raw__submissions') }} where is_present
),

participants as (
    select operation_id, country_code from {{ ref('stg_raw__participants') }}
    where {{ in_scope() }} and operation_id in (select operation_id from submitted)
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
        cast(null as varchar) as source_cell,
        cast(null as varchar) as source,
        cast(null as boolean) as is_primary,
        true as blocking,
        false as conflict
    from participation
),

data_checks as (
    select * from {{ ref('int_reconciliation_within_files') }} where {{ in_scope() }}
    union all
    select * from {{ ref('int_reconciliation_within_countries') }} where {{ in_scope() }}
)

select
    data_checks.*,
    cast(null as varchar) as source,
    cast(null as boolean) as is_primary,
    true as blocking,
    false as conflict
from data_checks
union all
select * from published_checks
union all
select * from participation_checks
