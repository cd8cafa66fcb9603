plan
--help
