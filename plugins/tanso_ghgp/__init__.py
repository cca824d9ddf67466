"""GHG Protocol domain plugin: calculators, GWP sets and policy options."""
