-- Each published figure against what the countries reported, with the qualifier's bounds.
select check_name, derived_value, qualifier, published_value, lower_bound, upper_bound, status
from marts.reconciliation
where operation_id = '2020-09-se-europe-jad' and check_level = 'across_countries'
order by status, check_name;
