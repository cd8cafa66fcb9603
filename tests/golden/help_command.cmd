command
--help
