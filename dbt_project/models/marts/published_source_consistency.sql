-- One row per check of a published source against itself: a property of the source, never a
-- failure of the data, and never blocking.
--   arrests by charge = arrests          its breakdown by charge against its own total
--   countries named = countries counted  the countries it names against the count it gives
--   countries counted = participants     the count it gives against the manifest's participants
-- status is 'consistent' or 'gap'; `gap` is the total minus its parts (positive: the parts
-- leave some unassigned). Each row also says where the data's own figure for the gap lies
-- (arrests under charges outside the source's breakdown, countries it does not name).
with figures as (
    select * from {{ ref('stg_raw__published_figures') }}
    where {{ in_scope() }}
),

sources as (
    select * from {{ ref('stg_raw__published_sources') }}
    where {{ in_scope() }}
),

submitted as (
    select distinct operation_id from {{ ref('stg_raw__submissions') }} where is_present
),

data_arrests as (
    select operation_id, value from {{ ref('fct_operation_results') }} where metric_code = 'arrests'
),

data_by_charge as (
    select operation_id, charge_code, sum(arrests) as arrests
    from {{ ref('fct_arrests_by_charge') }}
    group by operation_id, charge_code
),

reporting as (
    select distinct operation_id, country_code from {{ ref('fct_country_results') }}
),

participants as (
    select operation_id, country_code from {{ ref('stg_raw__participants') }}
),

-- the breakdown by charge against the total -------------------------------------------------

breakdowns as (
    select
        total.operation_id,
        total.source,
        total.published_value as total_value,
        total.qualifier as total_qualifier,
        sum(part.published_value) as parts_value,
        list(part.charge_code) as charges,
        bool_and(part.qualifier = 'exact') as parts_exact
    from figures as total
    inner join figures as part
        on part.operation_id = total.operation_id
        and part.source = total.source
        and part.metric_code = 'arrests'
        and part.charge_code is not null
    where total.metric_code = 'arrests' and total.charge_code is null
    group by total.operation_id, total.source, total.published_value, total.qualifier
),

outside_breakdown as (
    -- the data's arrests under the charges of the source's breakdown, and under the others
    select
        breakdowns.operation_id,
        breakdowns.source,
        coalesce(sum(data_by_charge.arrests) filter (
            where list_contains(breakdowns.charges, data_by_charge.charge_code)), 0) as inside,
        coalesce(sum(data_by_charge.arrests) filter (
            where not list_contains(breakdowns.charges, data_by_charge.charge_code)), 0) as outside,
        coalesce(sum(data_by_charge.arrests), 0) as by_any_charge,
        string_agg(
            data_by_charge.charge_code || ' ' || {{ as_figure('data_by_charge.arrests') }}, ', '
            order by data_by_charge.arrests desc, data_by_charge.charge_code asc
        ) filter (where not list_contains(breakdowns.charges, data_by_charge.charge_code)
            and data_by_charge.arrests > 0) as outside_charges
    from breakdowns
    left join data_by_charge using (operation_id)
    group by breakdowns.operation_id, breakdowns.source
),

breakdown_checks as (
    select
        breakdowns.operation_id,
        breakdowns.source,
        'arrests by charge = arrests' as check_name,
        breakdowns.total_value,
        breakdowns.parts_value,
        breakdowns.total_value - breakdowns.parts_value as gap,
        case
            when breakdowns.total_value = breakdowns.parts_value
                then 'the breakdown by charge adds up to its total of '
                    || {{ as_figure('breakdowns.total_value') }} || ' arrests'
            when breakdowns.total_value > breakdowns.parts_value
                then 'the breakdown leaves '
                    || {{ as_figure('breakdowns.total_value - breakdowns.parts_value') }}
                    || ' arrests unassigned (' || replace(breakdowns.total_qualifier, '_', ' ') || ' '
                    || {{ as_figure('breakdowns.total_value') }} || ' in total, '
                    || {{ as_figure('breakdowns.parts_value') }} || ' by charge)'
            else 'the breakdown counts '
                || {{ as_figure('breakdowns.parts_value - breakdowns.total_value') }}
                || ' arrests more than its total (' || replace(breakdowns.total_qualifier, '_', ' ') || ' '
                || {{ as_figure('breakdowns.total_value') }} || ' in total, '
                || {{ as_figure('breakdowns.parts_value') }} || ' by charge)'
        end as detail,
        data_arrests.value as data_total,
        outside_breakdown.inside as data_parts,
        data_arrests.value - outside_breakdown.inside as data_gap,
        case
            when submitted.operation_id is null then 'no submissions yet'
            else 'the data has ' || {{ as_figure('coalesce(data_arrests.value, 0)') }} || ' arrests, '
                || {{ as_figure('outside_breakdown.inside') }} || ' under the charges of this breakdown'
                || case
                    when outside_breakdown.outside > 0
                        then '; ' || {{ as_figure('outside_breakdown.outside') }}
                            || ' under charges outside it (' || outside_breakdown.outside_charges || ')'
                    else ''
                end
                || case
                    when coalesce(data_arrests.value, 0) > outside_breakdown.by_any_charge
                        then '; '
                            || {{ as_figure('coalesce(data_arrests.value, 0) - outside_breakdown.by_any_charge') }}
                            || ' with no charge given'
                    else ''
                end
        end as data_detail
    from breakdowns
    inner join outside_breakdown using (operation_id, source)
    left join data_arrests using (operation_id)
    left join submitted using (operation_id)
),

-- the countries a source names and counts ---------------------------------------------------

counted as (
    select operation_id, source, published_value as counted
    from figures
    where metric_code = 'countries_participating'
),

named as (
    select operation_id, source, unnest(countries_named) as country_code
    from sources
    where countries_named is not null
),

named_summary as (
    select
        named.operation_id,
        named.source,
        count(*) as named_count,
        count(reporting.country_code) as named_reporting,
        string_agg(named.country_code, ', ' order by named.country_code)
            filter (where reporting.country_code is null) as named_not_reporting,
        string_agg(named.country_code, ', ' order by named.country_code)
            filter (where participants.country_code is null) as named_not_participants
    from named
    left join reporting using (operation_id, country_code)
    left join participants using (operation_id, country_code)
    group by named.operation_id, named.source
),

reporting_not_named as (
    select
        named_summary.operation_id,
        named_summary.source,
        string_agg(reporting.country_code, ', ' order by reporting.country_code) as countries
    from named_summary
    inner join reporting using (operation_id)
    left join named
        on named.operation_id = reporting.operation_id
        and named.source = named_summary.source
        and named.country_code = reporting.country_code
    where named.country_code is null
    group by named_summary.operation_id, named_summary.source
),

reporting_count as (
    select operation_id, count(*) as reporting from reporting group by operation_id
),

participant_count as (
    select operation_id, count(*) as participants from participants group by operation_id
),

named_checks as (
    select
        counted.operation_id,
        counted.source,
        'countries named = countries counted' as check_name,
        counted.counted as total_value,
        cast(named_summary.named_count as double) as parts_value,
        counted.counted - named_summary.named_count as gap,
        case
            when counted.counted = named_summary.named_count
                then 'names the ' || {{ as_figure('counted.counted') }} || ' countries it counts'
            when counted.counted > named_summary.named_count
                then 'counts ' || {{ as_figure('counted.counted') }} || ' countries but names '
                    || named_summary.named_count || ': '
                    || {{ as_figure('counted.counted - named_summary.named_count') }} || ' unnamed'
            else 'names ' || named_summary.named_count || ' countries but counts '
                || {{ as_figure('counted.counted') }}
        end
        || coalesce('; it names ' || named_summary.named_not_participants || ', not among the participants', '')
            as detail,
        cast(coalesce(reporting_count.reporting, 0) as double) as data_total,
        cast(named_summary.named_reporting as double) as data_parts,
        cast(coalesce(reporting_count.reporting, 0) - named_summary.named_reporting as double) as data_gap,
        case
            when submitted.operation_id is null then 'no submissions yet'
            else coalesce(reporting_count.reporting, 0) || ' countries reported figures, '
                || named_summary.named_reporting || ' of them named by this source'
                || coalesce('; reporting but not named: ' || reporting_not_named.countries, '')
                || coalesce('; named but not reporting: ' || named_summary.named_not_reporting, '')
        end as data_detail
    from counted
    inner join named_summary using (operation_id, source)
    left join reporting_not_named using (operation_id, source)
    left join reporting_count using (operation_id)
    left join submitted using (operation_id)
),

participant_checks as (
    select
        counted.operation_id,
        counted.source,
        'countries counted = participants' as check_name,
        counted.counted as total_value,
        cast(coalesce(participant_count.participants, 0) as double) as parts_value,
        counted.counted - coalesce(participant_count.participants, 0) as gap,
        'counts ' || {{ as_figure('counted.counted') }} || ' countries; the manifest lists '
            || coalesce(participant_count.participants, 0) || ' participants' as detail,
        cast(coalesce(reporting_count.reporting, 0) as double) as data_total,
        cast(coalesce(participant_count.participants, 0) as double) as data_parts,
        cast(coalesce(reporting_count.reporting, 0) - coalesce(participant_count.participants, 0) as double)
            as data_gap,
        case
            when submitted.operation_id is null then 'no submissions yet'
            else coalesce(reporting_count.reporting, 0) || ' countries reported figures, of '
                || coalesce(participant_count.participants, 0) || ' participants'
        end as data_detail
    from counted
    left join participant_count using (operation_id)
    left join reporting_count using (operation_id)
    left join submitted using (operation_id)
),

checks as (
    select * from breakdown_checks
    union all
    select * from named_checks
    union all
    select * from participant_checks
)

select
    checks.operation_id,
    checks.source,
    sources.publisher,
    sources.is_primary,
    checks.check_name,
    checks.total_value,
    checks.parts_value,
    checks.gap,
    case when checks.gap = 0 then 'consistent' else 'gap' end as status,
    checks.detail,
    checks.data_total,
    checks.data_parts,
    checks.data_gap,
    checks.data_detail
from checks
inner join sources using (operation_id, source)
