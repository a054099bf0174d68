// The knowledge base's event types, as they appear in Event.type on the knowledge service's
// feed: crm.knowledge.v1.<Thing><Happened>. The payload is always the Article:
//   ArticleCreated, ArticleUpdated   its working copy after the change
//   ArticlePublished                 as readers see it now: the new revision
//   ArticleArchived                  as it was last published, in state ARCHIVED
//   ArticleRated                     as readers see it, with the new vote counts (only when a
//                                    vote was cast or changed)
// Views are counted, not announced: one event per read would swamp the feed.
#pragma once

namespace crm::knowledge {

inline constexpr char kArticleCreatedEvent[] = "crm.knowledge.v1.ArticleCreated";
inline constexpr char kArticleUpdatedEvent[] = "crm.knowledge.v1.ArticleUpdated";
inline constexpr char kArticlePublishedEvent[] = "crm.knowledge.v1.ArticlePublished";
inline constexpr char kArticleArchivedEvent[] = "crm.knowledge.v1.ArticleArchived";
inline constexpr char kArticleRatedEvent[] = "crm.knowledge.v1.ArticleRated";

}  // namespace crm::knowledge
