render
--help
