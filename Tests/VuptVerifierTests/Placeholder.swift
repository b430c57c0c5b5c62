import Testing
import VuptTestSupport
import VuptVerifier

@Test func sharedFolderIsFound() {
    if let data = TestSupport.sharedFile("vectors/paseto/v4.json") { #expect(!data.isEmpty) }
}
