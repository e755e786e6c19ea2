"""The demo book as pure data: places, people, the tariff catalogue and the generator."""
