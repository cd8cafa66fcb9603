inventory
--help
