detect
--help
