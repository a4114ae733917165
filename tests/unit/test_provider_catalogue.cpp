// The provider catalogue (config/provider_catalogue.h): one consistent row per provider.
#include <gtest/gtest.h>

#include <set>

#include "config/provider_catalogue.h"

namespace gw::config {
namespace {

TEST(ProviderCatalogue, RowsAreIndexedByTheirIdAndNamesAreUnique) {
  std::set<std::string_view> names, members;
  for (const ProviderInfo& p : all_providers()) {
    EXPECT_EQ(&provider_info(p.id), &p) << p.provider;
    EXPECT_TRUE(names.insert(p.provider).second) << p.provider;
    EXPECT_TRUE(members.insert(p.member).second) << p.member;
    EXPECT_EQ(find_provider(p.provider), &p);
    EXPECT_FALSE(p.display.empty()) << p.provider;
  }
  EXPECT_EQ(all_providers().size(), 21u);
}

TEST(ProviderCatalogue, NamesNormaliseThroughTheMemberName) {
  for (const ProviderInfo& p : all_providers()) {
    EXPECT_EQ(canonical_provider(p.provider), std::string(p.provider));
    EXPECT_EQ(canonical_provider(p.member), std::string(p.provider));
  }
  EXPECT_EQ(canonical_provider("Amazon_Bedrock"), "amazon-bedrock");
  // Known to MLflow, not implemented here: a canonical name but no row.
  for (const char* known : {"litellm", "databricks", "databricks-model-serving"}) {
    EXPECT_EQ(canonical_provider(known), known);
    EXPECT_EQ(find_provider(known), nullptr) << known;
  }
  EXPECT_EQ(canonical_provider("opneai"), std::nullopt);
}

TEST(ProviderCatalogue, FieldsFollowTheSettingsKind) {
  for (const ProviderInfo& p : all_providers()) {
    const bool fields = p.settings == SettingsKind::Http || p.settings == SettingsKind::Compatible;
    EXPECT_EQ(!p.base_field.empty(), fields) << p.provider;
    EXPECT_EQ(compatible_preset(p.provider) != nullptr, p.settings == SettingsKind::Compatible);
    EXPECT_EQ(http_provider_fields(p.provider) != nullptr, p.settings == SettingsKind::Http);
    if (p.settings == SettingsKind::Http) EXPECT_EQ(p.key_required, !p.key_field.empty());
    if (!p.default_base.empty())
      EXPECT_TRUE(p.default_base.rfind("https://", 0) == 0 ||
                  p.default_base.rfind("http://localhost", 0) == 0)
          << p.provider;
  }
}

TEST(ProviderCatalogue, StreamingOnlyWhereServedAndEveryProviderServesSomething) {
  for (const ProviderInfo& p : all_providers()) {
    EXPECT_TRUE(p.chat || p.completions || p.embeddings) << p.provider;
    if (p.chat_stream) EXPECT_TRUE(p.chat) << p.provider;
    if (p.completions_stream) EXPECT_TRUE(p.completions) << p.provider;
    EXPECT_FALSE(p.streams(EndpointType::Embeddings)) << p.provider;
  }
  EXPECT_TRUE(provider_info(ProviderId::Anthropic).streams(EndpointType::Chat));
  EXPECT_FALSE(provider_info(ProviderId::PaLM).streams(EndpointType::Chat));
  EXPECT_FALSE(provider_info(ProviderId::Anthropic).serves(EndpointType::Embeddings));
}

}  // namespace
}  // namespace gw::config
