-- Arrests by charge and country, one column per charge.
pivot (
    select country_code, charge_code, arrests
    from marts.fct_arrests_by_charge
    where operation_id = '2020-09-se-europe-jad'
)
on charge_code using sum(arrests)
order by country_code;
