import VuptCommandLine

ErrorText.run(program: "vupt-issuer") {
    try IssuerTool.main(commandLineArguments)
}
