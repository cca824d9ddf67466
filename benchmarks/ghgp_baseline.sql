-- Hand-written DuckDB baseline for rulesets/ghgp-current on the data benchmarks/ghgp_current.py generates.
-- Run by benchmarks/ghgp_baseline.py, which replaces {data} (the data folder) and {out} (the output folder).
--
-- COVERED (22 rules, ghgp_baseline.COVERED; every one complete: same rows, same factors, same exact decimals as
-- Tanso; s3.cat8.fuel has no rows in the generated data, so 21 appear in the ledger):
--   s1.stationary, s1.mobile, s1.mobile_distance, s1.process, s1.fugitive, s1.leased_assets, s2.location,
--   s2.district.location, s2.leased_assets.location, s3.cat3.wtt, s3.cat3.upstream_electricity, s3.cat5,
--   s3.cat6.travel, s3.cat6.hotels, s3.cat7, s3.cat8.fuel, s3.cat8.electricity, s3.cat10, s3.cat11, s3.cat12,
--   s3.cat13.fuel, s3.cat13.electricity: the single-method factor products (the leased-asset conditions as
--   boundary.approach = operational_control makes them).
-- NOT COVERED (14 rules): s2.market, s2.district.market, s2.leased_assets.market (certificate allocation;
--   supplier rate, residual mix, grid tiers), s3.cat1, s3.cat2, s3.cat4, s3.cat9, s3.cat14 (first_of chains:
--   supplier data, spend with exchange rates and price index), s3.cat3.td (loss_share over s2.location's
--   results), s3.cat15.* (PCAF attribution), s3.cat1.cloud.* (provider exports).
--   benchmarks/ghgp_baseline.py prints the share of Tanso's ledger rows the covered rules make (60 %: the
--   uncovered s2.market and s3.cat1 alone are a third of the input rows).
--
-- What it does, as a practitioner would write it: the organisational boundary under operational control (an
-- entity is in when it and every parent up the chain are operated); input rows without a row id are dropped;
-- per factor set a small table of effective factors per (keys, row unit): value × mass unit (g, kg, t → kg)
-- × activity unit conversion (a hand-written table of the pairs the data has) and × the AR5 GWP; then one
-- hash join per rule and quantity × factor as DECIMAL(18,6) × DECIMAL(38,12) = DECIMAL(38,18), exactly as
-- Tanso does. Rows with no factor or outside the boundary are written to rejects.parquet (row id, rule).
-- The script stops (error()) if an effective factor the rows use would need more than 12 decimals, so its
-- totals are exact; the wrapper then checks them against Tanso's ledger, rule by rule.

SET preserve_insertion_order = false;
SET enable_progress_bar = false;

-- GWP: IPCC AR5 100-year values as tabulated by the GHG Protocol (2016); a CO2e factor is already weighted.
CREATE TEMP TABLE gwp (gas VARCHAR, weight DECIMAL(9,0));
INSERT INTO gwp VALUES ('CO2', 1), ('CH4', 28), ('N2O', 265), ('CO2_biogenic', 0), ('HFC-134a', 1300),
  ('HFC-32', 677), ('HFC-125', 3170), ('HFC-143a', 4800), ('SF6', 23500), ('NF3', 16100), ('CO2e', 1);

-- Mass units of the factor files, to kg; activity unit → the factor's `per` unit (identities added below).
CREATE TEMP TABLE mass (unit VARCHAR, to_kg DECIMAL(9,3));
INSERT INTO mass VALUES ('g', 0.001), ('kg', 1), ('t', 1000);
CREATE TEMP TABLE conv (from_unit VARCHAR, per VARCHAR, factor DECIMAL(18,9));
INSERT INTO conv VALUES ('MWh', 'kWh', 1000), ('kWh', 'MWh', 0.001), ('t', 'kg', 1000), ('kg', 't', 0.001),
  ('gal', 'l', 3.785411784), ('m3', 'l', 1000), ('l', 'm3', 0.001);

-- Boundary: operational control, down the parent chain.
CREATE TEMP TABLE boundary AS
WITH RECURSIVE e AS (SELECT * FROM read_csv('{data}/entities.csv', header = true, all_varchar = true)),
chain AS (
  SELECT entity, CAST(operational_control AS BOOLEAN) AS inside FROM e WHERE coalesce(parent, '') = ''
  UNION ALL
  SELECT e.entity, chain.inside AND CAST(e.operational_control AS BOOLEAN) FROM e JOIN chain ON e.parent = chain.entity)
SELECT entity, CAST(CASE WHEN inside THEN 1 ELSE 0 END AS DECIMAL(5,4)) AS boundary_weight FROM chain;

-- Effective factors of one factor set: per (factor row, activity unit), kg of the gas and kg CO2e per unit.
CREATE MACRO eff_rows(file) AS TABLE
  SELECT f.*, u.from_unit,
         CAST(f.value AS DECIMAL(28,12)) * m.to_kg * u.factor AS gas_exact,
         CAST(f.value AS DECIMAL(28,12)) * m.to_kg * u.factor * g.weight AS co2e_exact
  FROM read_csv('{data}/factors/' || file, header = true, all_varchar = true) f
  JOIN mass m ON m.unit = f.unit
  JOIN gwp g ON g.gas = f.gas
  JOIN (SELECT from_unit, per, factor FROM conv
        UNION ALL SELECT DISTINCT per, per, 1 FROM read_csv('{data}/factors/' || file, header = true,
                                                            all_varchar = true)) u ON u.per = f.per;

-- The rows of every covered rule: (rule, row id, entity, period, match keys as one text, quantity, unit).
CREATE TEMP TABLE activity AS
  SELECT 's1.stationary' AS rule_id, 'fuels' AS fset, row_id, entity, period, fuel AS k, quantity, unit
    FROM '{data}/fuel_use.parquet' WHERE use = 'stationary'
  UNION ALL SELECT 's1.mobile', 'fuels', row_id, entity, period, fuel, quantity, unit
    FROM '{data}/fuel_use.parquet' WHERE use = 'mobile'
  UNION ALL SELECT 's3.cat3.wtt', 'wtt', row_id, entity, period, fuel, quantity, unit
    FROM '{data}/fuel_use.parquet' WHERE use IN ('stationary', 'mobile')
  UNION ALL SELECT 's1.mobile_distance', 'vehicle_km', row_id, entity, period, vehicle_type || chr(31) || fuel,
    distance, unit FROM '{data}/vehicle_distance.parquet'
  UNION ALL SELECT 's1.process', 'process', row_id, entity, period, emitted_gas, quantity, unit
    FROM '{data}/process_emissions.parquet'
  UNION ALL SELECT 's1.fugitive', 'refrigerants', row_id, entity, period, refrigerant, quantity, unit
    FROM '{data}/refrigerant_use.parquet'
  UNION ALL SELECT 's2.location', 'grid', row_id, entity, period, grid_region, quantity, unit
    FROM '{data}/electricity.parquet'
  UNION ALL SELECT 's3.cat3.upstream_electricity', 'upstream', row_id, entity, period, grid_region, quantity, unit
    FROM '{data}/electricity.parquet'
  UNION ALL SELECT 's2.district.location', 'district', row_id, entity, period, energy || chr(31) || country,
    quantity, unit FROM '{data}/district_energy.parquet'
  UNION ALL SELECT 's3.cat5', 'waste', row_id, entity, period, waste_type || chr(31) || treatment, quantity, unit
    FROM '{data}/waste.parquet'
  UNION ALL SELECT 's3.cat6.travel', 'travel', row_id, entity, period, mode || chr(31) || travel_class, distance, unit
    FROM '{data}/business_travel.parquet'
  UNION ALL SELECT 's3.cat6.hotels', 'hotels', row_id, entity, period, country, CAST(nights AS DECIMAL(18,6)), 'night'
    FROM '{data}/hotel_nights.parquet'
  UNION ALL SELECT 's3.cat10', 'processing', row_id, entity, period, process, quantity, unit
    FROM '{data}/sold_intermediates.parquet'
  UNION ALL SELECT 's3.cat8.electricity', 'grid', row_id, entity, period, grid_region, quantity, unit
    FROM '{data}/leased_assets.parquet'
    WHERE energy = 'electricity' AND direction = 'upstream' AND lease_type = 'operating' AND NOT operated
  UNION ALL SELECT 's3.cat8.fuel', 'fuels', row_id, entity, period, fuel, quantity, unit
    FROM '{data}/leased_assets.parquet'
    WHERE energy = 'fuel' AND direction = 'upstream' AND lease_type = 'operating' AND NOT operated
  -- Leased assets in Scope 1/2 under operational control: the lessee's finance leases and operated leases.
  UNION ALL SELECT 's1.leased_assets', 'fuels', row_id, entity, period, fuel, quantity, unit
    FROM '{data}/leased_assets.parquet'
    WHERE energy = 'fuel' AND direction = 'upstream' AND (lease_type = 'finance' OR operated)
  UNION ALL SELECT 's2.leased_assets.location', 'grid', row_id, entity, period, grid_region, quantity, unit
    FROM '{data}/leased_assets.parquet'
    WHERE energy = 'electricity' AND direction = 'upstream' AND (lease_type = 'finance' OR operated)
  -- Leased out: category 13 under operational control, every lease type.
  UNION ALL SELECT 's3.cat13.fuel', 'fuels', row_id, entity, period, fuel, quantity, unit
    FROM '{data}/leased_assets.parquet' WHERE energy = 'fuel' AND direction = 'downstream'
  UNION ALL SELECT 's3.cat13.electricity', 'grid', row_id, entity, period, grid_region, quantity, unit
    FROM '{data}/leased_assets.parquet' WHERE energy = 'electricity' AND direction = 'downstream'
  -- Quantities that are products of columns (exact: integers × DECIMAL(18,6)).
  UNION ALL SELECT 's3.cat7', 'commuting', row_id, entity, period, mode, employees * working_days * km_per_day, 'km'
    FROM '{data}/commuting.parquet'
  UNION ALL SELECT 's3.cat11', 'grid', row_id, entity, period, grid_region,
    units_sold * lifetime_years * kwh_per_year, 'kWh' FROM '{data}/products_sold.parquet'
  UNION ALL SELECT 's3.cat12', 'eol', row_id, entity, period, material || chr(31) || treatment,
    units_sold * kg_per_unit, 'kg' FROM '{data}/end_of_life.parquet';

-- All effective factors keyed by (factor set, keys as one text, activity unit).
CREATE TEMP TABLE eff AS
  SELECT 'fuels' AS fset, fuel AS k, from_unit, factor_id, gas, gas_exact, co2e_exact FROM eff_rows('fuels.csv')
  UNION ALL SELECT 'wtt', fuel, from_unit, factor_id, gas, gas_exact, co2e_exact FROM eff_rows('fuel_wtt.csv')
  UNION ALL SELECT 'vehicle_km', vehicle_type || chr(31) || fuel, from_unit, factor_id, gas, gas_exact, co2e_exact
    FROM eff_rows('vehicle_km.csv')
  UNION ALL SELECT 'process', emitted_gas, from_unit, factor_id, gas, gas_exact, co2e_exact FROM eff_rows('process_gases.csv')
  UNION ALL SELECT 'refrigerants', refrigerant, from_unit, factor_id, gas, gas_exact, co2e_exact FROM eff_rows('refrigerants.csv')
  UNION ALL SELECT 'grid', grid_region, from_unit, factor_id, gas, gas_exact, co2e_exact FROM eff_rows('grid.csv')
  UNION ALL SELECT 'upstream', grid_region, from_unit, factor_id, gas, gas_exact, co2e_exact FROM eff_rows('electricity_upstream.csv')
  UNION ALL SELECT 'district', energy || chr(31) || country, from_unit, factor_id, gas, gas_exact, co2e_exact
    FROM eff_rows('district.csv')
  UNION ALL SELECT 'waste', waste_type || chr(31) || treatment, from_unit, factor_id, gas, gas_exact, co2e_exact
    FROM eff_rows('waste.csv')
  UNION ALL SELECT 'travel', mode || chr(31) || travel_class, from_unit, factor_id, gas, gas_exact, co2e_exact
    FROM eff_rows('travel.csv')
  UNION ALL SELECT 'hotels', country, from_unit, factor_id, gas, gas_exact, co2e_exact FROM eff_rows('hotels.csv')
  UNION ALL SELECT 'processing', process, from_unit, factor_id, gas, gas_exact, co2e_exact FROM eff_rows('processing.csv')
  UNION ALL SELECT 'commuting', mode, from_unit, factor_id, gas, gas_exact, co2e_exact FROM eff_rows('commuting.csv')
  UNION ALL SELECT 'eol', material || chr(31) || treatment, from_unit, factor_id, gas, gas_exact, co2e_exact
    FROM eff_rows('end_of_life.csv');
-- Only the (keys, unit) pairs the rows have, as Tanso does. Exactness: each fits DECIMAL(38,12), else the
-- script stops (the products below would be rounded).
CREATE TEMP TABLE eff12 AS SELECT fset, k, from_unit, factor_id, gas, CAST(gas_exact AS DECIMAL(38,12)) AS gas_factor,
  CAST(co2e_exact AS DECIMAL(38,12)) AS co2e_factor, gas_exact, co2e_exact
  FROM eff SEMI JOIN (SELECT DISTINCT fset, k, unit FROM activity) a
    ON a.fset = eff.fset AND a.k = eff.k AND a.unit = eff.from_unit;
SELECT CASE WHEN count(*) > 0 THEN error('an effective factor needs more than 12 decimals') END FROM eff12
WHERE gas_factor <> gas_exact OR co2e_factor <> co2e_exact;

COPY (
  SELECT a.row_id, a.rule_id, a.entity, a.period, b.boundary_weight, e.gas, e.factor_id,
         a.quantity * e.gas_factor AS amount, a.quantity * e.co2e_factor AS co2e_kg, a.quantity,
         a.unit AS quantity_unit
  FROM activity a
  JOIN boundary b ON b.entity = a.entity AND b.boundary_weight > 0
  JOIN eff12 e ON e.fset = a.fset AND e.k = a.k AND e.from_unit = a.unit
  WHERE a.row_id IS NOT NULL AND a.quantity >= 0
) TO '{out}/ledger.parquet' (FORMAT parquet, COMPRESSION zstd);

COPY (
  SELECT a.row_id, a.rule_id, CASE WHEN b.entity IS NULL THEN 'unknown entity' ELSE 'no factor' END AS reason
  FROM activity a LEFT JOIN boundary b ON b.entity = a.entity
  WHERE a.row_id IS NOT NULL AND (b.entity IS NULL OR (b.boundary_weight > 0 AND NOT EXISTS (
    SELECT 1 FROM eff12 e WHERE e.fset = a.fset AND e.k = a.k AND e.from_unit = a.unit)))
) TO '{out}/rejects.parquet' (FORMAT parquet, COMPRESSION zstd);
