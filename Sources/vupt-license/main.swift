import VuptCommandLine

ErrorText.run(program: "vupt-license") {
    try LicenseTool.main(commandLineArguments)
}
