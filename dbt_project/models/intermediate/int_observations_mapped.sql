-- One row per observation, its labels mapped to a metric and a charge, its unit converted
-- to the metric's canonical unit, and a mapping_status saying what, if anything, is wrong
-- (status_of_cell: what the cell alone says, before it is compared with its alternatives).
with observations as (
    select * from {{ ref('stg_raw__observations') }}
    where {{ in_scope() }}
),

vocabulary as (
    select * from {{ ref('int_vocabulary_labels') }}
),

measure_parts as (
    select
        observation_id,
        generate_subscripts(measure_labels, 1) as position,
        unnest(measure_labels) as label
    from observations
),

part_matches as (
    select
        parts.observation_id,
        parts.position,
        parts.label,
        min(vocabulary.code) filter (where vocabulary.label_kind = 'metric') as metric_code,
        count(distinct vocabulary.code) filter (where vocabulary.label_kind = 'metric')
            as metric_matches,
        min(vocabulary.code) filter (where vocabulary.label_kind = 'charge') as charge_code,
        count(distinct vocabulary.code) filter (where vocabulary.label_kind = 'charge')
            as charge_matches,
        count(*) filter (where vocabulary.label_kind = 'field') > 0 as is_field_word
    from measure_parts as parts
    left join vocabulary on vocabulary.label_key = {{ label_key('parts.label') }}
    group by parts.observation_id, parts.position, parts.label
),

labels_by_observation as (
    select
        observation_id,
        -- the most specific label naming a metric (and not also a charge) gives the metric
        {{ value_at_max('metric_code', 'position') }}
            filter (where metric_code is not null and charge_code is null) as label_metric,
        {{ value_at_max('metric_code', 'position') }}
            filter (where metric_code is not null and charge_code is not null) as dual_metric,
        {{ value_at_max('charge_code', 'position') }} filter (where charge_code is not null) as label_charge,
        count(distinct charge_code) as distinct_charges,
        -- 'Other', 'Sonstige' alone: a generic word, not a named offence
        bool_or(charge_code = 'other' and strpos(trim(label), ' ') = 0) as generic_other,
        count(distinct metric_code) filter (where charge_code is null) as distinct_metrics,
        max(metric_matches) > 1 or max(charge_matches) > 1 as has_ambiguous_label,
        string_agg(label, ', ' order by position)
            filter (where metric_code is null and charge_code is null and not is_field_word)
            as unknown_labels,
        -- the same, one label an element: what a steward's seed row is for
        {{ ordered_list('label', 'position') }}
            filter (where metric_code is null and charge_code is null and not is_field_word)
            as unknown_label_list
    from part_matches
    group by observation_id
),

context_parts as (
    select
        observation_id,
        generate_subscripts(context_labels, 1) as position,
        unnest(context_labels) as label
    from observations
),

context_metrics as (
    select
        context_parts.observation_id,
        {{ value_at_min('vocabulary.code', 'context_parts.position') }} as context_metric
    from context_parts
    inner join vocabulary
        on vocabulary.label_key = {{ label_key('context_parts.label') }}
        and vocabulary.label_kind = 'metric'
    group by context_parts.observation_id
),

units as (
    select distinct
        {{ label_key('unit_labels.label') }} as unit_key,
        units.unit_code,
        units.dimension as unit_dimension,
        units.factor_to_canonical
    from {{ ref('unit_labels') }} as unit_labels
    inner join {{ ref('units') }} as units using (unit_code)
),

resolved as (
    select
        observations.*,
        labels.unknown_labels,
        labels.unknown_label_list,
        coalesce(labels.has_ambiguous_label, false)
            or coalesce(labels.distinct_charges, 0) > 1
            or coalesce(labels.distinct_metrics, 0) > 1 as is_ambiguous,
        -- no label has two codes, but the labels name different figures ('Arrests' over
        -- 'Firearms', a metric here that is the offence the arrests were for)
        not coalesce(labels.has_ambiguous_label, false)
        and (coalesce(labels.distinct_charges, 0) > 1 or coalesce(labels.distinct_metrics, 0) > 1)
            as labels_disagree,
        -- a label that names both a metric and a charge ('Weapons') is the charge under
        -- a metric's heading ('Arrests'), and the metric anywhere else
        coalesce(
            labels.label_metric,
            context_metrics.context_metric,
            labels.dual_metric,
            -- a charge alone is counted in arrests; 'Other' alone says nothing of what it
            -- counts (other seizures? other checks?) without an arrests label around it
            case when labels.label_charge is not null and not labels.generic_other
                then 'arrests' end
        ) as metric_code,
        case
            when labels.label_metric is null
                and context_metrics.context_metric is null
                and labels.dual_metric is not null
                then null
            else labels.label_charge
        end as charge_code
    from observations
    left join labels_by_observation as labels using (observation_id)
    left join context_metrics using (observation_id)
),

with_units as (
    select
        resolved.*,
        metrics.unit_code as metric_unit,
        metrics.max_per_cell,
        metric_units.dimension as metric_dimension,
        units.unit_code as written_unit,
        units.unit_dimension as written_dimension,
        coalesce(units.factor_to_canonical, 1.0) as unit_factor,
        resolved.unit_text is null as unit_assumed
    from resolved
    left join {{ ref('metrics') }} as metrics using (metric_code)
    left join {{ ref('units') }} as metric_units on metric_units.unit_code = metrics.unit_code
    left join units on units.unit_key = {{ label_key('resolved.unit_text') }}
),

operations as (
    select operation_id, start_date, end_date from {{ ref('stg_raw__operations') }}
),

checked as (
    select
        with_units.*,
        value_number * unit_factor as value_canonical,
        0.5 * power(10, -coalesce(value_decimals, 0)) * unit_factor as half_unit,
        case
            -- under arrests, a label no seed knows is an offence: in the taxonomy or not
            when unknown_labels is not null and metric_code = 'arrests' and charge_code is null
                then 'unknown_charge'
            when unknown_labels is not null then 'unknown_label'
            when is_ambiguous then 'ambiguous_label'
            when metric_code is null then 'unlabelled_value'
            -- a charge qualifies arrests only: 'persons' over a charge is a misreading
            when charge_code is not null and metric_code <> 'arrests' then 'conflicting_labels'
            when unit_text is not null and written_unit is null then 'unknown_unit'
            when written_dimension is not null and written_dimension <> metric_dimension
                then 'unit_mismatch'
            when value_status = 'record' and metric_dimension <> 'count' then 'missing_quantity'
            when value_number < 0 then 'negative_value'
            when value_number * unit_factor > max_per_cell then 'implausible_value'
            when metric_dimension = 'count' and value_number <> floor(value_number)
                then 'fractional_count'
            when period_date is not null
                and period_date not between operations.start_date and operations.end_date
                then 'date_outside_window'
            else 'mapped'
        end as status_of_cell
    from with_units
    left join operations using (operation_id)
),

-- The same figure written twice, in two units (a column of pounds beside the kilograms it
-- converts to): one figure, not two parts. Two cells are one figure when they share their
-- day's cell (the row's date, or the column's) or, without one, their row; two items of a
-- list are two rows, each with its own date. Where the two agree within their rounding, the
-- one in the metric's own unit (else the most precise) is the figure and the other an
-- alternative; where they disagree, neither is taken.
alternatives as (
    select
        *,
        min(written_unit) over figure <> max(written_unit) over figure as has_alternatives,
        max(value_canonical) over figure - min(value_canonical) over figure
            <= sum(half_unit) over figure + 1e-9 as alternatives_agree,
        row_number() over (
            partition by operation_id, file_id, sheet_name, table_index, metric_code,
                charge_code, period_date, is_total, {{ same_figure_key() }}
            order by case when written_unit = metric_unit then 0 else 1 end, half_unit, cell_ref
        ) as alternative_rank
    from checked
    where status_of_cell = 'mapped' and value_canonical is not null
    window figure as (
        partition by operation_id, file_id, sheet_name, table_index, metric_code, charge_code,
            period_date, is_total, {{ same_figure_key() }}
    )
),

-- 'of which' rows: a figure indented (or numbered) under a figure of the same metric is a
-- part of it, never added to it; the within-file reconciliation holds the parts to it
parents as (
    select observation_id, file_id, sheet_name, cell_ref, metric_code, period_date
    from checked
    where status_of_cell = 'mapped'
)

-- every column of stg_raw__observations passes through (_intermediate.yml lists them)
select
    checked.*,  -- noqa: AM04
    parents.cell_ref is not null as is_part,
    case
        when not coalesce(alternatives.has_alternatives, false) then checked.status_of_cell
        when not alternatives.alternatives_agree then 'conflicting_units'
        when alternatives.alternative_rank > 1 then 'alternative_unit'
        else checked.status_of_cell
    end as mapping_status
from checked
left join alternatives using (observation_id)
left join parents
    on parents.file_id = checked.file_id
    and parents.sheet_name = checked.sheet_name
    and parents.cell_ref = checked.part_of
    and parents.metric_code = checked.metric_code
    and parents.period_date is not distinct from checked.period_date
