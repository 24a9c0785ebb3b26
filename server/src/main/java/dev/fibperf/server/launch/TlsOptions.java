package dev.fibperf.server.launch;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.CertificateUtils;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Option;

/**
 * The server's certificate, for the gRPC and HTTP ports, and the CA of its clients' certificates.
 */
public final class TlsOptions {
  @Option(
      names = "--tls-cert-chain",
      paramLabel = "<pem>",
      defaultValue = "${env:FIBPERF_TLS_CERT_CHAIN}",
      description =
          "Serve TLS with this PEM certificate chain, on the gRPC port and the HTTP port (needs"
              + " --tls-private-key; FIBPERF_TLS_CERT_CHAIN). Plaintext when unset.")
  File tlsCertChain;

  @Option(
      names = "--tls-private-key",
      paramLabel = "<pem>",
      defaultValue = "${env:FIBPERF_TLS_PRIVATE_KEY}",
      description = "The PEM PKCS#8 private key for --tls-cert-chain (FIBPERF_TLS_PRIVATE_KEY).")
  File tlsPrivateKey;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "<pem>",
      defaultValue = "${env:FIBPERF_TLS_CLIENT_CA}",
      description =
          "Ask clients for a certificate and verify it against these PEM CA certificates (mutual"
              + " TLS; needs --tls-cert-chain; FIBPERF_TLS_CLIENT_CA).")
  File tlsClientCa;

  /** Whether the ports serve TLS. */
  public boolean enabled() {
    return tlsCertChain != null;
  }

  /** The certificate chain peers and clients see; null without TLS. */
  public File certChain() {
    return tlsCertChain;
  }

  public File privateKey() {
    return tlsPrivateKey;
  }

  /** Whether client certificates are asked for. */
  public boolean asksClientCertificates() {
    return tlsClientCa != null;
  }

  /**
   * @throws IllegalArgumentException if the files do not go together or cannot be used
   */
  public ServerCredentials credentials() {
    if (tlsCertChain == null && tlsPrivateKey == null) {
      if (tlsClientCa != null) {
        throw new IllegalArgumentException(
            "--tls-client-ca needs --tls-cert-chain and --tls-private-key");
      }
      return InsecureServerCredentials.create();
    }
    if (tlsCertChain == null || tlsPrivateKey == null) {
      throw new IllegalArgumentException("--tls-cert-chain and --tls-private-key go together");
    }
    try {
      TlsServerCredentials.Builder tls =
          TlsServerCredentials.newBuilder().keyManager(tlsCertChain, tlsPrivateKey);
      if (tlsClientCa != null) {
        // Asked for, not required: which calls need one is the access policy's business, and a
        // caller with a token may have none. A certificate that is sent must verify.
        tls.trustManager(tlsClientCa).clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL);
      }
      return tls.build();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cannot use the TLS certificate or key: " + rootMessage(e));
    }
  }

  /** The gRPC port's certificate for the HTTP port too, or null when it serves plaintext. */
  public SSLContext httpsContext() throws IOException {
    return tlsCertChain == null ? null : httpsContext(tlsCertChain, tlsPrivateKey);
  }

  /** A server-side TLS context from a PEM certificate chain and PKCS#8 key, as gRPC reads them. */
  public static SSLContext httpsContext(File tlsCertChain, File tlsPrivateKey) throws IOException {
    try (InputStream chainIn = new FileInputStream(tlsCertChain);
        InputStream keyIn = new FileInputStream(tlsPrivateKey)) {
      X509Certificate[] chain = CertificateUtils.getX509Certificates(chainIn);
      PrivateKey key = CertificateUtils.getPrivateKey(keyIn);
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = new char[0];
      store.setKeyEntry("fibperf", key, password, chain);
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(keys.getKeyManagers(), null, null);
      return tls;
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "cannot serve HTTPS with " + tlsCertChain + " and " + tlsPrivateKey + ": " + e, e);
    }
  }

  /** The innermost cause's message: what went wrong, without the layers that passed it on. */
  public static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
